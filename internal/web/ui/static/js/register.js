// register.js: creates an account, then signs straight in. Needs token.js and form.js.
(function () {
  "use strict";

  var form = document.getElementById("register-form");
  var region = document.getElementById("form-error");
  if (!form || !region) {
    return;
  }
  var password = form.elements.password;
  var confirm = form.elements.confirmPassword;

  // Editing either password field clears a mismatch mark left by an earlier attempt.
  function clearMismatch() {
    confirm.removeAttribute("aria-invalid");
  }
  password.addEventListener("input", clearMismatch);
  confirm.addEventListener("input", clearMismatch);

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") {
      return;
    }
    window.AuthForm.clearError(region);

    if (password.value !== confirm.value) {
      confirm.setAttribute("aria-invalid", "true");
      window.AuthForm.showError(region, "Passwords do not match");
      confirm.focus();
      return;
    }

    // confirmPassword stays in the browser: the server needs only these three fields.
    var data = new FormData();
    data.append("username", form.elements.username.value.trim());
    data.append("email", form.elements.email.value.trim());
    data.append("password", password.value);
    window.AuthForm.submitForAccess(form, region, "/auth/register", data);
  });
})();
