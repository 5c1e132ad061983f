// Served as a file: the Content-Security-Policy allows no inline script.
document.getElementById("copy-paragraph").addEventListener("click", function () {
  var area = document.getElementById("paragraph-text");
  var done = function () { document.getElementById("copy-done").hidden = false; };
  if (navigator.clipboard) { navigator.clipboard.writeText(area.value).then(done); }
  else { area.select(); document.execCommand("copy"); done(); }
});
