// Sojourn's own script: small, optional, and never inline (the content
// security policy forbids inline script). Every page works without it.
(function () {
  "use strict";

  // With script running, the "update the next level" buttons of the
  // division pickers are not needed: htmx reloads the picker on change.
  document.documentElement.classList.add("js");

  // Buttons marked data-print open the print dialog (person file, card).
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target instanceof Element && target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });

  // On an office screen every filter fits: show them open. On a phone
  // they stay folded under the search box until asked for.
  document.addEventListener("DOMContentLoaded", function () {
    if (window.matchMedia("(min-width: 701px)").matches) {
      document.querySelectorAll("details.filter-more").forEach(function (d) {
        d.open = true;
      });
    }
  });

  // After a refused submit, take keyboard and screen-reader users to the
  // summary of what needs correcting.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("form-errors");
    if (summary) {
      summary.focus();
    }
  });

  // "Select all on this page" ticks (or clears) every row of a batch.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement) || !target.dataset.selectAll) {
      return;
    }
    document.querySelectorAll("input." + target.dataset.selectAll).forEach(function (box) {
      box.checked = target.checked;
    });
  });

  // ---- Sessions end after a while unused; typed work must not. ----
  //
  // A signed-in page learns how long a session may sit unused
  // (/ui/session), warns five minutes before it would end, and asks the
  // server again (which counts as activity) whenever the reader types,
  // at most once a minute. Forms marked data-draft keep what is typed in
  // the tab's sessionStorage; their submit first checks the session, and
  // if it has ended sends the reader to sign in and back to the form,
  // which then puts the typed values back.
  var session = {
    idleMs: 0,
    lastContact: Date.now(),
    pinging: false
  };
  var PING_EVERY_MS = 60 * 1000;
  var WARN_BEFORE_MS = 5 * 60 * 1000;

  function signedIn() {
    return document.getElementById("session-warning") !== null;
  }

  function ask(onEnded) {
    session.pinging = true;
    return fetch("/ui/session", {
      credentials: "same-origin",
      headers: { "HX-Request": "true", "Accept": "application/json" }
    }).then(function (response) {
      session.pinging = false;
      if (response.status === 401) {
        onEnded();
        return false;
      }
      if (!response.ok) {
        return true;
      }
      session.lastContact = Date.now();
      return response.json().then(function (body) {
        session.idleMs = body.idle_seconds * 1000;
        showWarning(null);
        return true;
      });
    }, function () {
      // Offline or the server is restarting: nothing is known, submit
      // as usual and let the server answer.
      session.pinging = false;
      return true;
    });
  }

  function showWarning(which) {
    var box = document.getElementById("session-warning");
    if (!box) {
      return;
    }
    box.hidden = which === null;
    box.querySelectorAll("[data-when]").forEach(function (p) {
      p.hidden = p.dataset.when !== which;
    });
  }

  function signInAgainHref() {
    return "/sign-in?expired=1&next=" +
      encodeURIComponent(location.pathname + location.search);
  }

  function ended() {
    saveAllDrafts();
    var link = document.querySelector("[data-sign-in]");
    if (link) {
      link.href = signInAgainHref();
    }
    showWarning("ended");
  }

  // Where the session stands at `now` (exposed for the browser tests).
  function check(now) {
    if (!session.idleMs) {
      return;
    }
    // The server notes activity to within a minute: end a little early.
    var endsAt = session.lastContact + session.idleMs - Math.min(60000, session.idleMs / 10);
    if (now >= endsAt) {
      ended();
    } else if (now >= endsAt - Math.min(WARN_BEFORE_MS, session.idleMs / 3)) {
      showWarning("soon");
    }
  }

  function active() {
    if (!session.pinging && Date.now() - session.lastContact > PING_EVERY_MS) {
      ask(ended);
    }
  }

  // ---- Drafts of forms marked data-draft ----
  function draftKey(form) {
    var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-draft]"));
    return "sojourn-draft:" + location.pathname + ":" + (form.id || forms.indexOf(form));
  }

  function kept(element) {
    var type = (element.type || "").toLowerCase();
    return element.name && element.name !== "csrf_token" &&
      ["password", "file", "submit", "button"].indexOf(type) < 0;
  }

  function saveDraft(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!kept(element)) {
        return;
      }
      var type = (element.type || "").toLowerCase();
      var key = element.name + (type === "radio" ? "=" + element.value : "");
      values[key] = type === "checkbox" || type === "radio" ? element.checked : element.value;
    });
    try {
      sessionStorage.setItem(draftKey(form), JSON.stringify(values));
    } catch (e) {
      // Storage full or disabled: the server's session check still runs.
    }
  }

  function saveAllDrafts() {
    document.querySelectorAll("form[data-draft]").forEach(saveDraft);
  }

  function restoreDraft(form) {
    var text;
    try {
      text = sessionStorage.getItem(draftKey(form));
    } catch (e) {
      return false;
    }
    if (!text) {
      return false;
    }
    var values = JSON.parse(text);
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!kept(element)) {
        return;
      }
      var type = (element.type || "").toLowerCase();
      var key = element.name + (type === "radio" ? "=" + element.value : "");
      if (!(key in values)) {
        return;
      }
      if (type === "checkbox" || type === "radio") {
        element.checked = values[key];
      } else {
        element.value = values[key];
      }
    });
    return true;
  }

  function discardDrafts() {
    document.querySelectorAll("form[data-draft]").forEach(function (form) {
      try {
        sessionStorage.removeItem(draftKey(form));
      } catch (e) {
        // Nothing to remove.
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!signedIn()) {
      return;
    }
    var restored = false;
    document.querySelectorAll("form[data-draft]").forEach(function (form) {
      restored = restoreDraft(form) || restored;
    });
    var notice = document.getElementById("draft-restored");
    if (restored && notice) {
      notice.hidden = false;
    }
    ask(ended);
    setInterval(function () { check(Date.now()); }, 15000);
  });

  document.addEventListener("input", function (event) {
    if (!signedIn()) {
      return;
    }
    var form = event.target instanceof Element && event.target.closest("form[data-draft]");
    if (form) {
      saveDraft(form);
    }
    active();
  });
  document.addEventListener("change", function (event) {
    var form = event.target instanceof Element && event.target.closest("form[data-draft]");
    if (form && signedIn()) {
      saveDraft(form);
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    if (target.closest("[data-keepalive]")) {
      ask(ended);
    } else if (target.closest("[data-discard-draft]")) {
      discardDrafts();
      location.reload();
    }
  });

  // A draft form's submit checks the session first: ended, the typed
  // values stay in the tab and the reader signs in and comes back.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-draft") || !signedIn()) {
      return;
    }
    if (form.dataset.sessionChecked === "1") {
      delete form.dataset.sessionChecked;
      try {
        sessionStorage.removeItem(draftKey(form));
      } catch (e) {
        // Nothing to remove.
      }
      return;
    }
    event.preventDefault();
    saveDraft(form);
    var submitter = event.submitter || null;
    // What the button said, kept now: a live check may replace the button
    // (its message is swapped in) before the session has answered.
    var sent = submitter && {
      name: submitter.name,
      value: submitter.value,
      action: submitter.getAttribute("formaction")
    };
    ask(function () {
      location.href = signInAgainHref();
    }).then(function (alive) {
      if (!alive) {
        return;
      }
      if (!submitter || form.contains(submitter)) {
        form.dataset.sessionChecked = "1";
        form.requestSubmit(submitter);
        return;
      }
      try {
        sessionStorage.removeItem(draftKey(form));
      } catch (e) {
        // Nothing to remove.
      }
      if (sent.action) {
        form.action = sent.action;
      }
      if (sent.name) {
        var carried = document.createElement("input");
        carried.type = "hidden";
        carried.name = sent.name;
        carried.value = sent.value;
        form.appendChild(carried);
      }
      form.submit();
    });
  });

  // Choosing a house fills in the stay's current address, unless the
  // clerk typed a different one.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.dataset.fillTarget) {
      return;
    }
    var target = document.getElementById(select.dataset.fillTarget);
    var option = select.selectedOptions[0];
    var fill = option && option.dataset.fill;
    if (!target || !fill) {
      return;
    }
    if (target.value.trim() === "" || target.value === target.dataset.filled) {
      target.value = fill;
      target.dataset.filled = fill;
      target.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });

  window.SojournSession = { check: check, state: session };
})();
