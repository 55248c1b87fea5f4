"""Field-by-field differences between revisions."""

from promtel_fin.domain.revisions import diff, flatten


def test_flatten_names_nested_fields_with_paths() -> None:
    assert flatten({"a": {"b": [{"c": 1}, {"c": 2}]}, "d": []}) == {
        "a.b[0].c": 1, "a.b[1].c": 2, "d": []}


def test_diff_reports_changed_added_and_removed_fields() -> None:
    before = {"title": "Red", "cash_flows": [{"year": 1, "revenue": "10.00"}],
              "localities": [{"name": "A"}]}
    after = {"title": "Red FTTH", "cash_flows": [{"year": 1, "revenue": "12.00"}],
             "localities": [{"name": "A"}, {"name": "B"}]}
    assert diff(before, after) == [
        {"field": "title", "change": "changed", "before": "Red", "after": "Red FTTH"},
        {"field": "cash_flows[0].revenue", "change": "changed", "before": "10.00",
         "after": "12.00"},
        {"field": "localities[1].name", "change": "added", "before": None, "after": "B"},
    ]
    assert diff(after, before)[-1]["change"] == "removed"


def test_identical_revisions_have_no_differences() -> None:
    doc = {"a": [1, 2], "b": {"c": None}}
    assert diff(doc, doc) == []
