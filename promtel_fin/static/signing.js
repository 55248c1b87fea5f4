/* Signs the agreement's cadena original in the browser with the SAT's e.firma key.
 *
 * The .key (encrypted PKCS#8: PBES2, des-ede3-cbc) and its password are read here with the
 * vendored node-forge and never leave this computer: their inputs are outside the form and have
 * no name. Only the signature (base64) is put into the form, which the person then sends with
 * the certificate. Without JavaScript, this section stays hidden and openssl does the same. */
(function () {
  "use strict";
  var section = document.getElementById("browser-sign");
  if (!section || typeof forge === "undefined") { return; }
  section.hidden = false;
  var button = document.getElementById("browser-sign-button");
  var status = document.getElementById("browser-sign-status");
  var failed = document.getElementById("browser-sign-failed");
  var done = document.getElementById("browser-sign-done");

  function show(element) {
    failed.hidden = element !== failed;
    done.hidden = element !== done;
    status.textContent = element ? element.textContent : "";
  }

  button.addEventListener("click", function () {
    var file = document.getElementById("key-file").files[0];
    var password = document.getElementById("key-password").value;
    if (!file) { show(failed); return; }
    var reader = new FileReader();
    reader.onload = function () {
      try {
        var bytes = new Uint8Array(reader.result);
        var binary = "";
        for (var i = 0; i < bytes.length; i += 1) { binary += String.fromCharCode(bytes[i]); }
        var encrypted = forge.asn1.fromDer(binary);
        var info = forge.pki.decryptPrivateKeyInfo(encrypted, password);
        if (!info) { show(failed); return; }
        var key = forge.pki.privateKeyFromAsn1(info);
        var md = forge.md.sha256.create();
        md.update(document.getElementById("cadena").textContent, "utf8");
        document.getElementById("signature").value = forge.util.encode64(key.sign(md));
        document.getElementById("key-password").value = "";
        show(done);
      } catch (error) {
        show(failed);
      }
    };
    reader.readAsArrayBuffer(file);
  });
}());
