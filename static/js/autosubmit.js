// A choice list marked data-autosubmit sends its form as soon as it changes (the year of an
// individual exam schedule); without JavaScript the form's own button does it. A file of its
// own: the Content-Security-Policy runs no inline script and no on... attribute.
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches && field.matches("[data-autosubmit]") && field.form) {
    field.form.submit();
  }
});
