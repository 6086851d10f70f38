// Logging a reschedule request (templates/reschedules/ombuds/request_form.html): the exam periods
// offered follow the chosen course's ISP year (the server checks it too). A file of its own: the
// Content-Security-Policy runs no inline script.
(function () {
  const data = document.getElementById("course-years");
  const course = document.getElementById("id_course");
  const period = document.getElementById("id_exam_period");
  if (!data || !course || !period) return;
  const years = JSON.parse(data.textContent);
  function follow() {
    const allowed = years[course.value] || null;
    for (const option of period.options) {
      if (!option.value) continue;
      const hide = allowed !== null && !allowed.includes(Number(option.dataset.year));
      option.hidden = hide;
      option.disabled = hide;
      if (hide && option.selected) period.value = "";
    }
  }
  course.addEventListener("change", follow);
  follow();
})();
