// login.js: signs in with a username or e-mail and a password. Needs token.js and form.js.
(function () {
  "use strict";

  var form = document.getElementById("login-form");
  var region = document.getElementById("form-error");
  if (!form || !region) {
    return;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") {
      return;
    }
    window.AuthForm.clearError(region);

    var data = new FormData();
    data.append("username", form.elements.username.value.trim());
    data.append("password", form.elements.password.value);
    window.AuthForm.submitForAccess(form, region, "/auth/login", data);
  });
})();
