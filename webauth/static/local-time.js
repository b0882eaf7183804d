// Shows every <time datetime="..."> in the reader's own time zone; the page's UTC text stays
// as the element's title (and is what readers without JavaScript see).
(function () {
  "use strict";
  var options = {
    weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short"
  };
  document.querySelectorAll("time[datetime]").forEach(function (element) {
    var moment = new Date(element.getAttribute("datetime"));
    if (!isNaN(moment.getTime()) && element.getAttribute("datetime").indexOf("T") !== -1) {
      element.title = element.textContent;
      element.textContent = moment.toLocaleString(undefined, options);
    }
  });
}());
