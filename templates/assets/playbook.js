// Material's search dialog has no accessible name; screen readers announce it as
// an unnamed dialog. Give it one.
document.addEventListener("DOMContentLoaded", function () {
  var search = document.querySelector(".md-search");
  if (search && !search.hasAttribute("aria-label")) {
    search.setAttribute("aria-label", "Search the playbook");
  }
});
