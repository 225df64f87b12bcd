/*
 * Passkey buttons (WebAuthn): sign in without a password, second factor after the password, step-up
 * before a sensitive action, and adding a passkey.
 *
 *   <button type="button" data-passkey="signin|second-factor|step-up|register"
 *           data-options-url="..." data-verify-url="..." data-next="/..."
 *           data-name-input="input-id">...</button>
 *   <p data-passkey-error role="alert"></p>
 *
 * Loaded with <script src defer> (the CSP allows no inline script). Progressive enhancement: without
 * WebAuthn the button is hidden and the password / authenticator-code forms still work.
 */
(function () {
  "use strict";

  var MODES = ["signin", "second-factor", "step-up", "register"];

  var MESSAGES = {
    vi: {
      generic: "Không dùng được khóa truy cập. Vui lòng thử lại hoặc dùng cách khác.",
      cancelled: "Đã hủy hoặc hết thời gian xác thực bằng khóa truy cập.",
      duplicate: "Thiết bị này đã có khóa truy cập cho tài khoản của bạn.",
      network: "Không kết nối được máy chủ. Kiểm tra mạng và thử lại.",
    },
    en: {
      generic: "The passkey could not be used. Please try again or use another method.",
      cancelled: "Passkey verification was cancelled or timed out.",
      duplicate: "This device already holds a passkey for your account.",
      network: "Could not reach the server. Check the connection and try again.",
    },
  };

  function messages() {
    var lang = (document.documentElement.lang || "vi").toLowerCase();
    return lang.indexOf("en") === 0 ? MESSAGES.en : MESSAGES.vi;
  }

  // --- base64url <-> ArrayBuffer (WebAuthn L3 §5.1.8 JSON encodings use unpadded base64url) ---

  function toBuffer(text) {
    var b64 = String(text).replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var binary = window.atob(b64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (d) {
      var out = { type: d.type, id: toBuffer(d.id) };
      if (d.transports) out.transports = d.transports;
      return out;
    });
  }

  function creationOptions(json) {
    if (window.PublicKeyCredential && typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function") {
      try {
        return PublicKeyCredential.parseCreationOptionsFromJSON(json);
      } catch (e) {
        /* fall back to the manual conversion below */
      }
    }
    var options = Object.assign({}, json);
    options.challenge = toBuffer(json.challenge);
    options.user = Object.assign({}, json.user, { id: toBuffer(json.user.id) });
    options.excludeCredentials = descriptors(json.excludeCredentials);
    return options;
  }

  function requestOptions(json) {
    if (window.PublicKeyCredential && typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function") {
      try {
        return PublicKeyCredential.parseRequestOptionsFromJSON(json);
      } catch (e) {
        /* fall back to the manual conversion below */
      }
    }
    var options = Object.assign({}, json);
    options.challenge = toBuffer(json.challenge);
    options.allowCredentials = descriptors(json.allowCredentials);
    return options;
  }

  function credentialJSON(credential) {
    if (typeof credential.toJSON === "function") {
      try {
        return credential.toJSON();
      } catch (e) {
        /* some wrappers (password-manager extensions) break toJSON: serialize by hand */
      }
    }
    var r = credential.response;
    var out = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response: { clientDataJSON: toBase64url(r.clientDataJSON) },
      clientExtensionResults: typeof credential.getClientExtensionResults === "function" ? credential.getClientExtensionResults() : {},
    };
    if (credential.authenticatorAttachment) out.authenticatorAttachment = credential.authenticatorAttachment;
    if (r.attestationObject) {
      out.response.attestationObject = toBase64url(r.attestationObject);
      if (typeof r.getTransports === "function") out.response.transports = r.getTransports();
    } else {
      out.response.authenticatorData = toBase64url(r.authenticatorData);
      out.response.signature = toBase64url(r.signature);
      if (r.userHandle && r.userHandle.byteLength) out.response.userHandle = toBase64url(r.userHandle);
    }
    return out;
  }

  // --- server round trips ---

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function Problem(title) {
    this.title = title;
  }

  function postJSON(url, body) {
    return window
      .fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(body),
      })
      .catch(function () {
        throw new Problem(messages().network);
      })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (json) {
            if (!response.ok) throw new Problem(json && typeof json.title === "string" ? json.title : messages().generic);
            return json;
          });
      });
  }

  // --- the button ---

  function errorElement(button) {
    for (var node = button.parentElement; node; node = node.parentElement) {
      var found = node.querySelector("[data-passkey-error]");
      if (found) return found;
    }
    return null;
  }

  function showError(button, error) {
    var text = messages().generic;
    if (error instanceof Problem) {
      text = error.title;
    } else if (error && error.name === "NotAllowedError") {
      text = messages().cancelled; // §6.3.2/§6.3.3: cancelled, timed out or refused by the person
    } else if (error && error.name === "InvalidStateError") {
      text = messages().duplicate; // §6.3.2 step 3: a credential in excludeCredentials is on this authenticator
    }
    var target = errorElement(button);
    if (target) {
      target.textContent = text;
      target.hidden = false;
    }
  }

  function clearError(button) {
    var target = errorElement(button);
    if (target) target.textContent = "";
  }

  function run(button) {
    var mode = button.getAttribute("data-passkey");
    var registering = mode === "register";
    var nameInputId = button.getAttribute("data-name-input");
    return postJSON(button.getAttribute("data-options-url"), {})
      .then(function (json) {
        if (registering) {
          return navigator.credentials.create({ publicKey: creationOptions(json.publicKey) });
        }
        return navigator.credentials.get({ publicKey: requestOptions(json.publicKey) });
      })
      .then(function (credential) {
        if (!credential) throw new Error("no credential");
        var body = { credential: credentialJSON(credential), next: button.getAttribute("data-next") || "" };
        if (registering) {
          var input = nameInputId ? document.getElementById(nameInputId) : null;
          body.name = input ? input.value : "";
        }
        return postJSON(button.getAttribute("data-verify-url"), body);
      })
      .then(function (json) {
        window.location.assign(json.next || "/");
      });
  }

  function bind(button) {
    if (MODES.indexOf(button.getAttribute("data-passkey")) < 0) return;
    if (typeof window.PublicKeyCredential === "undefined" || !navigator.credentials) {
      button.hidden = true;
      button.style.display = "none"; // author CSS (.button { display: inline-block }) beats [hidden]
      return;
    }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      if (button.disabled) return;
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      clearError(button);
      run(button)
        .catch(function (error) {
          showError(button, error);
        })
        .then(function () {
          // On success the page is navigating away; re-enabling is harmless then.
          button.disabled = false;
          button.removeAttribute("aria-busy");
        });
    });
  }

  function start() {
    var buttons = document.querySelectorAll("button[data-passkey]");
    for (var i = 0; i < buttons.length; i++) bind(buttons[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
