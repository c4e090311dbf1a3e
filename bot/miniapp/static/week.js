/* The week view: shows a week of free slots and sends the one the owner taps.
 *
 * The contract with the server is docs/mini-app.md. In short:
 * - Telegram opens the page with a fragment holding `tgWebAppData` (the signed initData) and
 *   `tgWebAppThemeParams`; a real client may also inject `window.Telegram.WebApp`, whose
 *   `initData` and `themeParams` are then preferred. No Telegram script is loaded.
 * - `GET api/week[?from=…]` and `POST api/choose` carry `Authorization: tma <initData>`.
 *   URLs are relative to the <base> week.html sets ("{page url}/").
 * - Every text shown comes from the API's `texts` (the server translates); the one exception
 *   is the message for a first request that never got an answer (no texts yet): FALLBACK.
 */
(function () {
  "use strict";

  var THEME_KEYS = [
    "bg_color",
    "text_color",
    "hint_color",
    "link_color",
    "button_color",
    "button_text_color",
    "secondary_bg_color",
  ];
  var REQUEST_TIMEOUT_MS = 15000;
  var CLOSE_DELAY_MS = 1500; // time to see the confirmation before Telegram closes the page
  var FALLBACK = {
    fr: "La page n'a pas pu être chargée : vérifiez la connexion, puis rouvrez-la.",
    en: "The page could not be loaded: check your connection, then open it again.",
  };

  var fragment = new URLSearchParams(location.hash.slice(1));

  /** Telegram.WebApp when a real client injected it, else null (read each time: late is fine). */
  function webApp() {
    return (window.Telegram && window.Telegram.WebApp) || null;
  }

  var initData = (webApp() && webApp().initData) || fragment.get("tgWebAppData") || "";

  // The page's state: what the last answer said, and whether a request is under way.
  var state = {
    texts: null, // the API's texts, once the first week arrived
    summary: null,
    week: null,
    busy: false,
    chosen: false, // a slot was chosen: the page is done, the chat takes over
    request: 0, // the number of the latest request; older answers are dropped
  };

  var $ = function (id) {
    return document.getElementById(id);
  };
  var ui = {
    main: $("app"),
    top: $("top"),
    title: $("title"),
    summary: $("summary"),
    pager: $("pager"),
    previous: $("previous"),
    next: $("next"),
    days: $("days"),
    spinner: $("spinner"),
    status: $("status"),
  };

  /* -- Theme ------------------------------------------------------------------------------- */

  /** Telegram's theme params: the injected object's if it has any, else the fragment's JSON. */
  function themeParams() {
    var injected = webApp() && webApp().themeParams;
    if (injected && Object.keys(injected).length) return injected;
    try {
      return JSON.parse(fragment.get("tgWebAppThemeParams") || "{}") || {};
    } catch (error) {
      return {};
    }
  }

  /** Each colour becomes --tg-<name> on <html> (week.css falls back to its defaults). Only
   * #rgb/#rrggbb values are taken: an invalid one would not fall back, it would unset. */
  function applyTheme() {
    var params = themeParams();
    var root = document.documentElement;
    THEME_KEYS.forEach(function (key) {
      var value = params[key];
      var name = "--tg-" + key.replace(/_/g, "-");
      if (typeof value === "string" && /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(value)) {
        root.style.setProperty(name, value);
      } else {
        root.style.removeProperty(name);
      }
    });
    var scheme = schemeOf(params.bg_color);
    if (scheme) root.setAttribute("data-scheme", scheme);
    else root.removeAttribute("data-scheme");
  }

  /** "dark" or "light" from a background colour's luminance; null without one. */
  function schemeOf(color) {
    var match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color || "");
    if (!match) return null;
    var hex = match[1].length === 3 ? match[1].replace(/./g, "$&$&") : match[1];
    var rgb = [0, 2, 4].map(function (at) {
      return parseInt(hex.slice(at, at + 2), 16);
    });
    var luminance = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    return luminance < 128 ? "dark" : "light";
  }

  /* -- Talking to the server --------------------------------------------------------------- */

  /** Resolves to {status, data} (data: the JSON body, or null); rejects on a network error or
   * a timeout. */
  function api(method, path, body) {
    var controller = new AbortController();
    var timer = setTimeout(function () {
      controller.abort();
    }, REQUEST_TIMEOUT_MS);
    var options = {
      method: method,
      headers: { Authorization: "tma " + initData, Accept: "application/json" },
      cache: "no-store",
      signal: controller.signal,
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options)
      .then(function (response) {
        return response.json().then(
          function (data) {
            return { status: response.status, data: data };
          },
          function () {
            return { status: response.status, data: null };
          }
        );
      })
      .finally(function () {
        clearTimeout(timer);
      });
  }

  /** The server's message for the owner when it sent one, else the generic error text. */
  function messageOf(data) {
    if (data && typeof data.message === "string" && data.message) return data.message;
    if (state.texts) return state.texts.error;
    var lang = (document.documentElement.lang || navigator.language || "fr").slice(0, 2);
    return FALLBACK[lang] || FALLBACK.fr;
  }

  function setBusy(busy) {
    state.busy = busy;
    ui.main.setAttribute("aria-busy", busy ? "true" : "false");
  }

  /** A message in the live region; kind is "ok", "error" or "" (loading). */
  function say(text, kind) {
    ui.status.className = "status" + (kind ? " " + kind : "");
    ui.status.textContent = text || "";
  }

  /* -- Loading a week ---------------------------------------------------------------------- */

  /** Fetch the week from `from` (null: the server's default) and show it. `focusAfter` is the
   * pager button used, to keep the keyboard user's place. */
  function load(from, focusAfter) {
    if (state.busy || state.chosen) return;
    var number = ++state.request;
    setBusy(true);
    if (state.texts) say(state.texts.loading, "");
    var path = "api/week" + (from ? "?from=" + encodeURIComponent(from) : "");
    api("GET", path)
      .then(function (answer) {
        if (number !== state.request) return;
        setBusy(false);
        if (answer.status === 200 && answer.data && answer.data.week) {
          show(answer.data);
          say("", "");
          keepFocus(focusAfter);
        } else if (answer.status === 409) {
          // nothing-to-choose: the chat moved on (booked, cancelled, started over).
          state.chosen = true;
          ui.pager.hidden = true;
          ui.days.textContent = "";
          failed(answer.data);
        } else {
          failed(answer.data);
        }
      })
      .catch(function () {
        if (number !== state.request) return;
        setBusy(false);
        failed(null);
      });
  }

  function failed(data) {
    ui.spinner.hidden = true;
    say(messageOf(data), "error");
  }

  /** A whole answer of api/week: texts, summary and the week. */
  function show(data) {
    state.texts = data.texts || {};
    state.summary = data.summary || {};
    if (data.lang) document.documentElement.lang = data.lang;
    document.title = state.texts.title || "";
    ui.title.textContent = state.texts.title || "";
    showSummary(state.summary);
    ui.top.hidden = false;
    ui.pager.hidden = false;
    ui.spinner.hidden = true;
    showWeek(data.week);
    var app = webApp();
    if (app && typeof app.ready === "function") app.ready();
  }

  function showSummary(summary) {
    ui.summary.textContent = "";
    [summary.pet, summary.reason, summary.vet || state.texts.any_vet].forEach(function (text) {
      if (text) ui.summary.appendChild(make("li", {}, text));
    });
  }

  /** The seven days, and the pager's state. */
  function showWeek(week) {
    state.week = week;
    var texts = state.texts;
    ui.previous.textContent = texts.previous;
    ui.next.textContent = texts.next;
    ui.previous.disabled = !week.previous;
    ui.next.disabled = !week.next;

    var nodes = document.createDocumentFragment();
    (week.days || []).forEach(function (day) {
      nodes.appendChild(dayElement(day, texts));
    });
    ui.days.textContent = "";
    ui.days.appendChild(nodes);
  }

  function dayElement(day, texts) {
    var headingId = "day-" + day.date;
    var section = make("section", {
      class: "day" + (day.closed ? " closed" : ""),
      "aria-labelledby": headingId,
      "data-date": day.date,
    });
    var head = make("div", { class: "day-head" });
    // tabindex -1: focusable by script (after a change of week), not by Tab.
    head.appendChild(make("h2", { id: headingId, tabindex: "-1" }, day.label));
    if (day.closed) head.appendChild(make("span", { class: "closed-mark" }, texts.closed));
    else if (day.hours) head.appendChild(make("p", { class: "hours" }, day.hours));
    section.appendChild(head);

    var slots = day.slots || [];
    if (slots.length) {
      var withVet = slots.some(function (slot) {
        return slot.vet;
      });
      var list = make("ul", { class: "slots" + (withVet ? " with-vet" : "") });
      slots.forEach(function (slot, index) {
        var item = make("li", { class: slot.asked ? "asked" : "" });
        item.appendChild(slotButton(slot, day.date + "-" + index, texts));
        list.appendChild(item);
      });
      section.appendChild(list);
    } else if (!day.closed) {
      section.appendChild(make("p", { class: "no-slot" }, texts.no_slot));
    }
    return section;
  }

  /** A slot's button: the time, its vet when it names one, and the "asked" mark. Its
   * accessible name is the slot's full label; the mark is its description. */
  function slotButton(slot, key, texts) {
    var button = make("button", {
      type: "button",
      class: "slot" + (slot.asked ? " asked" : ""),
      "aria-label": slot.label,
      "data-slot": slot.id,
    });
    button.appendChild(make("span", { class: "slot-time" }, slot.time));
    if (slot.vet) button.appendChild(make("span", { class: "slot-vet" }, slot.vet));
    if (slot.asked) {
      var markId = "asked-" + key;
      button.appendChild(make("span", { class: "asked-mark", id: markId }, texts.asked));
      button.setAttribute("aria-describedby", markId);
    }
    return button;
  }

  /** After a change of week: the pager button used keeps the focus while it can be used; if it
   * is now disabled (the first or last week), the first day's heading takes it. */
  function keepFocus(button) {
    if (!button) return;
    if (!button.disabled) button.focus();
    else focusDay(null);
  }

  function focusDay(date) {
    var heading = (date && document.getElementById("day-" + date)) || ui.days.querySelector("h2");
    if (heading) heading.focus();
  }

  /* -- Choosing a slot ---------------------------------------------------------------------- */

  function choose(button) {
    if (state.busy || state.chosen) return;
    var slotId = button.getAttribute("data-slot");
    var date = button.closest(".day").getAttribute("data-date");
    var number = ++state.request;
    setBusy(true);
    say(state.texts.loading, "");
    api("POST", "api/choose", { slot: slotId })
      .then(function (answer) {
        if (number !== state.request) return;
        setBusy(false);
        var data = answer.data;
        if (answer.status === 200 && data && data.ok) {
          chosen(button, data);
        } else if (answer.status === 409 && data && data.week) {
          // taken meanwhile: the fresh week, the message, and the focus back on that day.
          showWeek(data.week);
          say(messageOf(data), "error");
          focusDay(date);
        } else {
          if (answer.status === 409) state.chosen = true; // nothing-to-choose: the chat moved on
          say(messageOf(data), "error");
        }
      })
      .catch(function () {
        if (number !== state.request) return;
        setBusy(false);
        say(messageOf(null), "error");
      });
  }

  /** Done: the slot marked, the others disabled, the confirmation said, then Telegram closes
   * the page (the booking is confirmed in the chat). */
  function chosen(button, data) {
    state.chosen = true;
    button.classList.add("chosen");
    ui.days.querySelectorAll("button").forEach(function (other) {
      if (other !== button) other.disabled = true;
    });
    ui.previous.disabled = true;
    ui.next.disabled = true;
    say(state.texts.chosen || data.message, "ok");
    setTimeout(function () {
      var app = webApp();
      if (app && typeof app.close === "function") app.close();
    }, CLOSE_DELAY_MS);
  }

  /* -- Helpers, wiring ---------------------------------------------------------------------- */

  /** An element with attributes and, optionally, a text (never HTML: texts are the server's). */
  function make(tag, attributes, text) {
    var element = document.createElement(tag);
    Object.keys(attributes).forEach(function (name) {
      if (attributes[name] !== "") element.setAttribute(name, attributes[name]);
    });
    if (text !== undefined && text !== null) element.textContent = text;
    return element;
  }

  ui.previous.addEventListener("click", function () {
    if (state.week && state.week.previous) load(state.week.previous, ui.previous);
  });
  ui.next.addEventListener("click", function () {
    if (state.week && state.week.next) load(state.week.next, ui.next);
  });
  // One listener for every slot (buttons: Enter and Space click them too).
  ui.days.addEventListener("click", function (event) {
    var button = event.target.closest("button.slot");
    if (button && !button.disabled) choose(button);
  });

  applyTheme();
  var app = webApp();
  if (app && typeof app.onEvent === "function") app.onEvent("themeChanged", applyTheme);
  if (app && typeof app.expand === "function") app.expand();
  load(null, null);
})();
