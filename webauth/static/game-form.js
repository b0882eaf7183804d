// The game form's own helpers (forms.js has what every form shares). The form works without
// them; with them:
// - the date picker is read in the browser's time zone (the hidden tz / tz_offset fields),
//   and an edit shows the game's start in that zone;
// - a suggestion chip replaces exactly its entry in the participants list;
// - the inherited values shown follow the chosen channel.
(function () {
  "use strict";

  var form = document.querySelector("form.game-form");
  if (!form) {
    return;
  }

  // --- time zone -------------------------------------------------------------------------
  var local = form.querySelector("input[name=start_local]");
  var tz = form.querySelector("input[name=tz]");
  var offset = form.querySelector("input[name=tz_offset]");
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (ignored) {
    zone = "";
  }

  function pad(number) {
    return String(number).padStart(2, "0");
  }

  function pickerValue(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
      "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  function fillOffset() {
    // Minutes east of UTC at the picked wall time (so a date across a clock change is right).
    var picked = local.value ? new Date(local.value) : null;
    offset.value = picked && !isNaN(picked.getTime()) ? String(-picked.getTimezoneOffset()) : "";
  }

  if (local && tz && offset) {
    if (local.dataset.utc && tz.value !== zone) {
      var start = new Date(local.dataset.utc);
      if (!isNaN(start.getTime())) {
        local.value = pickerValue(start);
      }
    }
    tz.value = zone;
    var note = document.getElementById("zone-note");
    if (note) {
      note.textContent = "In your browser's time zone" + (zone ? " (" + zone + ")." : ".");
    }
    local.addEventListener("change", fillOffset);
    form.addEventListener("submit", fillOffset);
    fillOffset();
  }

  // --- suggestion chips --------------------------------------------------------------------
  var participants = form.querySelector("textarea[name=participants]");
  var blanks = /^[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+$/g;

  // The list with the first entry equal to `entry` replaced (entries are split on new lines
  // and commas, and trimmed, as the server splits them); null when no entry is `entry`.
  function replaceEntry(text, entry, replacement) {
    var lines = text.split("\n");
    for (var i = 0; i < lines.length; i += 1) {
      var parts = lines[i].split(/([,\uff0c])/);
      for (var j = 0; j < parts.length; j += 2) {
        if (parts[j].replace(blanks, "") === entry) {
          parts[j] = parts[j].replace(entry, replacement);
          lines[i] = parts.join("");
          return lines.join("\n");
        }
      }
    }
    return null;
  }

  form.querySelectorAll(".entry-problem").forEach(function (problem) {
    var chips = problem.querySelectorAll("button.chip");
    var status = problem.querySelector(".chip-status");
    problem.dataset.standing = problem.dataset.entry;
    chips.forEach(function (chip) {
      chip.disabled = false;
      chip.addEventListener("click", function () {
        if (!participants) {
          return;
        }
        var replaced = replaceEntry(participants.value, problem.dataset.standing, chip.dataset.replacement);
        if (replaced === null) {
          if (status) {
            status.textContent = "That entry is no longer in the list; type " + chip.dataset.replacement + " yourself.";
          }
          return;
        }
        participants.value = replaced;
        problem.dataset.standing = chip.dataset.replacement;
        chips.forEach(function (other) {
          other.setAttribute("aria-pressed", other === chip ? "true" : "false");
        });
        if (status) {
          status.textContent = "Replaced with " + chip.dataset.replacement + ".";
        }
      });
    });
  });

  // --- inherited settings ----------------------------------------------------------------------
  var channel = form.querySelector("select[name=channel]");
  var inherited = {};
  try {
    inherited = JSON.parse(form.dataset.inherited || "{}");
  } catch (ignored) {
    inherited = {};
  }
  function showInherited() {
    var values = inherited[channel.value] || {};
    Object.keys(values).forEach(function (key) {
      var value = form.querySelector("[data-inherited-value='" + key + "']");
      var source = form.querySelector("[data-inherited-source='" + key + "']");
      if (value) {
        value.textContent = values[key].value;
      }
      if (source) {
        source.textContent = values[key].source;
      }
    });
  }
  if (channel) {
    channel.addEventListener("change", showInherited);
  }
}());
