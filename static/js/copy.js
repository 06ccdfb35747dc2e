// Buttons marked data-copy copy a value (their data-copy-value, or the text of the element whose id is their
// data-copy) and say so in their own words (data-copied) for a moment, also to screen readers (aria-live).
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-copy]");
  if (!button) return;
  var source = document.getElementById(button.getAttribute("data-copy"));
  var value = button.getAttribute("data-copy-value") || (source ? source.textContent.trim() : "");
  var done = function () {
    var label = button.textContent;
    button.textContent = button.getAttribute("data-copied");
    setTimeout(function () { button.textContent = label; }, 2000);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(value).then(done);
  } else if (source) { // plain http: select it, so that the phone's own "copy" is one tap away
    var range = document.createRange();
    range.selectNodeContents(source);
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
    if (document.execCommand && document.execCommand("copy")) done();
  }
});
