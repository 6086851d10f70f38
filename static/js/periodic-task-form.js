// The periodic task's form in the admin (templates/admin/djcelery/change_periodictask_form.html):
// the chosen crontab schedule in words under its help text. django-celery-beat ships this as an
// inline script, which the Content-Security-Policy does not run.
(function () {
  var label = document.currentScript ? document.currentScript.dataset.label : "";
  var data = document.getElementById("readable-crontabs");
  var select = document.getElementById("id_crontab");
  var help = document.querySelector(".field-crontab .help");
  var translation = document.querySelector(".field-crontab_translation");
  if (translation) translation.style.display = "none";
  if (!data || !select || !help) return;
  var crontabs = JSON.parse(data.textContent);
  var original = help.textContent.trim();
  function update() {
    var words = crontabs[select.value];
    help.textContent = original;
    if (words) {
      help.appendChild(document.createElement("br"));
      help.appendChild(document.createTextNode(label + ": " + words));
    }
  }
  select.addEventListener("change", update);
  update();
})();
