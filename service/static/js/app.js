// Exitloop's only script of its own: show htmx errors that are not swapped.
document.addEventListener("htmx:responseError", function (event) {
  var flash = document.getElementById("flash");
  if (!flash) { return; }
  var xhr = event.detail.xhr;
  var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
  var heading = doc.querySelector("h1");
  var p = document.createElement("p");
  p.className = "flash flash-error";
  p.setAttribute("role", "alert");
  p.textContent = heading ? heading.textContent : String(xhr.status);
  flash.replaceChildren(p);
});

// After an htmx swap, put the keyboard focus back where the person was (e.g. the "Move up"
// button of the question just moved): the server marks that element with data-refocus.
document.addEventListener("htmx:afterSwap", function () {
  var target = document.querySelector("[data-refocus]");
  if (target) { target.focus(); }
});

// A request that never reached the server (no connection): an element that asks for it
// says so in place (data-offline-message, shown in the element named by data-offline-status).
document.addEventListener("htmx:sendError", function (event) {
  var source = event.detail.elt.closest("[data-offline-message]");
  if (!source) { return; }
  var status = document.getElementById(source.getAttribute("data-offline-status"));
  if (status) { status.textContent = source.getAttribute("data-offline-message"); }
});

// A panel that closes (a theme's quotes beside the dashboard): its link empties the panel
// named by data-close; without a script the link leads back to the page.
document.addEventListener("click", function (event) {
  var link = event.target.closest("[data-close]");
  var panel = link && document.getElementById(link.getAttribute("data-close"));
  if (!panel || !panel.contains(link)) { return; }
  event.preventDefault();
  panel.replaceChildren();
});
