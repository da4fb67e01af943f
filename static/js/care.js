// Progressive enhancement for the circle of care: a Print button where a page is meant for paper.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});
