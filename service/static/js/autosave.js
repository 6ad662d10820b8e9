// The interview page's autosave (templates/interviews/interview.html): htmx posts the form
// as the interviewer types; this script only tells them when a save could not be made.
// What they typed is never touched: it stays in the fields, and is sent again with the next
// change or as soon as the browser is back online.
(function () {
  function form() { return document.getElementById("interview-form"); }

  function say(message) {
    var state = document.getElementById("autosave-state");
    if (!state) { return; }
    var line = state.querySelector(".autosave-message");
    line.textContent = message;
    state.classList.toggle("has-error", message !== form().dataset.saving);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var interview = form();
    if (!interview || event.detail.elt !== interview) { return; }
    if (interview.dataset.completing) { event.preventDefault(); return; }
    say(interview.dataset.saving);
  });
  document.addEventListener("htmx:sendError", function (event) {
    var interview = form();
    if (interview && event.detail.elt === interview) { say(interview.dataset.offline); }
  });
  document.addEventListener("htmx:responseError", function (event) {
    var interview = form();
    if (interview && event.detail.elt === interview) { say(interview.dataset.failed); }
  });
  window.addEventListener("online", function () {
    var interview = form();
    if (interview) { htmx.trigger(interview, "autosave-retry"); }
  });
  // "Mark completed" sends everything itself: no autosave may race it with the revision.
  document.addEventListener("submit", function (event) {
    if (event.target === form()) { event.target.dataset.completing = "1"; }
  });
})();
