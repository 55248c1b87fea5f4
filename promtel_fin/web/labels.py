"""Words people read for the codes the system uses (states, actions, roles, kinds)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from ..domain import geography, workflow

STATES = {
    "contact": _l("Contact"), "proposal": _l("Proposal"),
    "promtel_feedback": _l("PROMTEL feedback"), "update": _l("Update"),
    "promtel_verification": _l("PROMTEL verification"),
    "focir_presentation": _l("Presentation to FOCIR"), "focir_feedback": _l("FOCIR feedback"),
    "promtel_opinion": _l("PROMTEL opinion"), "focir_decision": _l("FOCIR decision"),
    "agreement": _l("Agreement"), "signed": _l("Signed"), "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}
STEP_HELP = {
    "contact": _l("PROMTEL acknowledges the contact and assigns a reviewer."),
    "proposal": _l("The SME presents its project proposal."),
    "promtel_feedback": _l("PROMTEL gives feedback on viability and bankability."),
    "update": _l("The SME updates its proposal with the feedback."),
    "promtel_verification": _l("PROMTEL verifies the updated proposal."),
    "focir_presentation": _l("PROMTEL presents the verified proposal to FOCIR."),
    "focir_feedback": _l("FOCIR gives feedback on bankability and financing."),
    "promtel_opinion": _l("PROMTEL gives its non-binding opinion on viability."),
    "focir_decision": _l("FOCIR issues the financing decision with its terms."),
    "agreement": _l("The SME and FOCIR sign the financing agreement."),
}
ACTIONS = {
    "acknowledge_contact": _l("Acknowledge contact"), "submit_proposal": _l("Submit proposal"),
    "give_feedback": _l("Give feedback"), "submit_update": _l("Submit update"),
    "verify": _l("Verify"), "request_changes": _l("Request changes"),
    "present_to_focir": _l("Present to FOCIR"), "give_opinion": _l("Give opinion"),
    "approve": _l("Approve"), "reject": _l("Reject"), "sign": _l("Sign the agreement"),
    "withdraw": _l("Withdraw the proposal"), "create": _l("Created"), "edit": _l("Edited"),
    "confirm_decision": _l("Confirm the decision"), "return_decision": _l("Return the decision"),
    "message": _l("Message"),
    "document_uploaded": _l("Document uploaded"), "document_superseded": _l("Document replaced"),
    "document_accepted": _l("Document accepted"), "document_rejected": _l("Document rejected"),
}
# The proposal's fields, for the revisions' comparison and the forms' error summaries.
FIELDS = {
    "title": _l("Project title"), "summary": _l("Summary"), "technology": _l("Technology"),
    "requested_amount": _l("Amount requested"), "term_months": _l("Term in months"),
    "grace_months": _l("Grace months"), "amortization_method": _l("Payments"),
    "localities": _l("Localities"), "social_sites": _l("Social sites"),
    "guarantees": _l("Guarantees"), "cash_flows": _l("Five-year cash flows"),
    "credit_history": _l("Credit history"), "bureau_score": _l("Credit bureau score"),
    "report_date": _l("Date of the credit report"), "name": _l("Name"),
    "inegi_key": _l("INEGI key"), "population": _l("Inhabitants"),
    "priority_zone": _l("Priority zone"), "kind": _l("Kind"), "locality": _l("Locality"),
    "description": _l("Description"), "value": _l("Value"), "year": _l("Year"),
    "revenue": _l("Revenue"), "opex": _l("Operating costs"), "capex": _l("Investment"),
    "taxes": _l("Taxes"), "company": _l("Company"), "legal_name": _l("Legal name"),
    "rfc": _l("RFC"), "state_code": _l("State"), "municipality_key": _l("Municipality key"),
    "comment": _l("Comment"), "reason": _l("Reasons"), "opinion": _l("Opinion"),
    "reviewer_id": _l("Reviewer assigned"), "body": _l("Message"),
    "email": _l("E-mail"), "password": _l("Password"), "role": _l("Role"),
    "company_rfc": _l("Company RFC"), "effective_from": _l("Applies from"), "note": _l("Note"),
    "amount": _l("Amount"), "method": _l("Payments"), "annual_rate": _l("Annual interest rate"),
    "vat_rate": _l("VAT rate"), "password_confirm": _l("Password, again"),
    "ift_registration": _l("IFT concession or authorization number"),
    "address": _l("Address"), "min_amount": _l("Smallest amount"),
    "max_amount": _l("Largest amount"), "step": _l("Step"), "label_es": _l("Label in Spanish"),
    "label_en": _l("Label in English"), "required_for": _l("Required for"),
    "optional_for": _l("Optional for"), "uploaded_by": _l("Uploaded by"), "dated": _l("Dated"),
    "haircut": _l("Haircut"), "accept": _l("Acceptance of the terms"),
    "certificate": _l("Certificate (.cer)"), "signature": _l("Signature"),
    "file": _l("File"),
}
# A row of a repeating group, numbered from 1 (cash flows by year).
ROWS = {"localities": _l("Locality %(n)s"), "social_sites": _l("Social site %(n)s"),
        "guarantees": _l("Guarantee %(n)s"), "cash_flows": _l("Cash flows, year %(n)s"),
        "checklist": _l("Document %(n)s")}
# Fields whose values are pesos, and those whose values are codes of a label table.
MONEY_FIELDS = frozenset({"requested_amount", "value", "revenue", "opex", "capex", "taxes"})
CODED_FIELDS = {"technology": "TECHNOLOGIES", "amortization_method": "METHODS",
                "state_code": "STATE_NAMES", ("social_sites", "kind"): "SITE_KINDS",
                ("guarantees", "kind"): "GUARANTEE_KINDS"}
YES_NO = {True: _l("Yes"), False: _l("No")}

# The policy's parameters: what each one is, and what it means (the administrator's page).
POLICY = {
    "max_amount": _l("Largest loan (pesos)"),
    "annual_rate": _l("Annual interest rate (%)"),
    "vat_rate": _l("VAT on the interest (%)"),
    "max_term_months": _l("Longest term (months, grace included)"),
    "max_grace_months": _l("Longest grace period (months)"),
    "discount_rate": _l("Discount rate of the cash flows (%)"),
    "dscr_threshold": _l("Minimum debt service coverage (DSCR)"),
    "guarantee_coverage": _l("Guarantee coverage required (times the loan)"),
    "min_bureau_score": _l("Minimum credit bureau score"),
    "credit_report_max_age_days": _l("Oldest credit report accepted (days)"),
    "rural_population_threshold": _l("Rural locality: fewer inhabitants than"),
    "max_open_drafts": _l("Proposals a company may prepare at once"),
    **{f"sla_days_{state}": _l("Working days to act at step %(n)s: %(step)s", n=n,
                               step=STATES[str(state)])
       for n, state in enumerate(workflow.STEPS, start=1)},
}
POLICY_HELP = {
    "max_amount": _l("The most a proposal may request and FOCIR may approve."),
    "annual_rate": _l("Fixed yearly interest charged on the balance, before VAT."),
    "vat_rate": _l("Value added tax charged on each interest payment."),
    "max_term_months": _l("The longest time to repay, counting the grace months."),
    "max_grace_months": _l("Months at the start in which only interest is paid."),
    "discount_rate": _l("Used for the net present value, the discounted payback and the "
                        "profitability index of the five-year cash flows."),
    "dscr_threshold": _l("Each year's cash available for debt service divided by the debt "
                         "service; below this the proposal does not meet the rule."),
    "guarantee_coverage": _l("The guarantees' value, after the haircuts below, divided by the "
                             "loan; 1.5 means 150%."),
    "min_bureau_score": _l("The company's score at the credit bureau must be at least this."),
    "credit_report_max_age_days": _l("How old the credit report, and any dated document of "
                                     "the checklist, may be when the SME submits."),
    "rural_population_threshold": _l("Localities with fewer inhabitants than this count as "
                                     "rural."),
    "max_open_drafts": _l("Proposals at steps 1 and 2 that one company may hold at the same "
                          "time."),
    **{f"sla_days_{state}": _l("Working days (Mexico's federal holidays excepted) for whoever "
                               "must act, from the day after the proposal reached the step.")
       for state in workflow.STEPS},
}

# What an action did, for the message shown after it (each names the proposal's folio).
DONE = {
    "acknowledge_contact": _l("You acknowledged the contact for proposal %(folio)s and "
                              "assigned its reviewer."),
    "submit_proposal": _l("You sent proposal %(folio)s to PROMTEL."),
    "give_feedback": _l("You sent your feedback on proposal %(folio)s to the SME."),
    "submit_update": _l("You sent the update of proposal %(folio)s to PROMTEL."),
    "verify": _l("You verified proposal %(folio)s."),
    "request_changes": _l("You asked the SME for changes to proposal %(folio)s."),
    "present_to_focir": _l("You presented proposal %(folio)s to FOCIR."),
    "give_opinion": _l("You gave PROMTEL's opinion on proposal %(folio)s."),
    "approve": _l("Your approval of proposal %(folio)s is recorded. A second FOCIR officer "
                  "must confirm it before the SME can sign."),
    "reject": _l("You rejected proposal %(folio)s."),
    "reject_pending": _l("Your rejection of proposal %(folio)s is recorded. A second FOCIR "
                         "officer must confirm it."),
    "withdraw": _l("You withdrew proposal %(folio)s; its process has ended."),
    "confirm_decision": _l("You confirmed the decision on proposal %(folio)s."),
    "return_decision": _l("You returned the decision on proposal %(folio)s to the officer "
                          "who proposed it."),
    "sign": _l("You signed the agreement of proposal %(folio)s with your e.firma. The "
               "signature is recorded in the history."),
}
DOCUMENT_STATUSES = {"missing": _l("Missing"), "pending": _l("Waiting for review"),
                     "accepted": _l("Accepted"), "rejected": _l("Document rejected")}
ROLES = {"sme": _l("SME"), "promtel": _l("PROMTEL"), "focir": _l("FOCIR"),
         "admin": _l("Administrator")}
TECHNOLOGIES = {"ftth": _l("Fibre to the home (FTTH)"), "fixed_wireless": _l("Fixed wireless"),
                "small_cells": _l("Small cells"), "wifi_hotspots": _l("WiFi hotspots"),
                "satellite": _l("Satellite"), "other": _l("Other")}
SITE_KINDS = {"school": _l("School"), "health_centre": _l("Health centre"),
              "library": _l("Library"), "civic_square": _l("Civic square")}
GUARANTEE_KINDS = {"real_estate": _l("Real estate"), "movable_property": _l("Movable property"),
                   "cash_deposit": _l("Cash deposit"),
                   "personal_guarantee": _l("Personal guarantee"), "other": _l("Other")}
METHODS = {"level": _l("Fixed payments"), "equal_principal": _l("Equal principal payments")}
RESULTS = {"pass": _l("Meets"), "fail": _l("Does not meet"), "review": _l("To review")}
OPINIONS = {"favourable": _l("Favourable"), "unfavourable": _l("Unfavourable")}
STATE_NAMES = geography.STATE_NAMES   # the 32 states by CVE_ENT, kept in domain/geography.py


def step_choices() -> dict[str, str]:
    """Name the ten steps by number for a filter ("3 · PROMTEL feedback"), in the language of
    the request."""
    return {str(n): f"{n} · {STATES[str(state)]}" for n, state in enumerate(workflow.STEPS, 1)}


def done(action: str, proposal: Any) -> str:
    """Say what an action did to which proposal, and where the proposal is now."""
    pending = action == "reject" and proposal.pending_action is not None
    said = str(DONE.get("reject_pending" if pending else action, _l("Done: %(action)s.")))
    first = said % {"folio": proposal.folio, "action": ACTIONS.get(action, action)}
    step = workflow.step_of(workflow.State(proposal.state))
    if step is None:
        return f"{first} " + str(_l("Its state now: %(state)s.",
                                    state=STATES.get(proposal.state, proposal.state)))
    return f"{first} " + str(_l("It is now at step %(n)s of 10: %(state)s.", n=step,
                                state=STATES.get(proposal.state, proposal.state)))
