// Shows each <time datetime="…"> in the reader's own time zone and language. The page already
// reads in UTC without this script; data-style="relative" times say "in 3 hours" instead.
(function () {
  "use strict";
  var absolute = new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short"
  });
  var relative = typeof Intl.RelativeTimeFormat === "function"
    ? new Intl.RelativeTimeFormat(undefined, { numeric: "auto" })
    : null;
  var units = [["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];

  function relativeText(seconds) {
    for (var i = 0; i < units.length; i++) {
      var size = units[i][1];
      if (Math.abs(seconds) >= size || size === 1) {
        return relative.format(Math.trunc(seconds / size), units[i][0]);
      }
    }
    return "";
  }

  var times = document.querySelectorAll("time[datetime]");
  for (var i = 0; i < times.length; i++) {
    var element = times[i];
    var when = new Date(element.getAttribute("datetime"));
    if (isNaN(when.getTime())) continue;
    if (element.dataset.style === "relative") {
      if (relative) element.textContent = relativeText((when.getTime() - Date.now()) / 1000);
    } else {
      if (!element.title) element.title = element.textContent.trim();
      element.textContent = absolute.format(when);
    }
  }
})();
