// The field a refused form is about (the ISP editor): scrolled into view and focused
// (autofocus alone does not always bring it into view). A file of its own: the
// Content-Security-Policy runs no inline script.
window.addEventListener("load", function () {
  var field = document.querySelector("[autofocus]");
  if (field) {
    field.focus({preventScroll: true});
    field.scrollIntoView({block: "center", behavior: "instant"});
  }
});
