// The check-in desk: scanner/typed code/search in one always-focused input, camera QR scanning
// where the browser has BarcodeDetector, results announced to screen readers, undo, and an
// offline mode that decides scans from a local copy and queues them until the network returns.
// No inline script (CSP): configuration comes from data- attributes on [data-desk].
(function () {
  "use strict";
  var DB_NAME = "confapp-checkin";
  var PREFIX = "confapp-checkin";

  // ---- cache helpers (also used on logout and refused-link pages) -------------------------
  function openDb() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no indexedDB")); return; }
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore("lists", { keyPath: "key" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function idb(mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("lists", mode);
        var result = fn(tx.objectStore("lists"));
        tx.oncomplete = function () { db.close(); resolve(result && result.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }
  function clearAll() {
    Object.keys(localStorage).forEach(function (key) { if (key.indexOf(PREFIX) === 0) { localStorage.removeItem(key); } });
    if (window.indexedDB) { indexedDB.deleteDatabase(DB_NAME); }
  }
  window.confappCheckinClear = clearAll;
  if (document.querySelector("[data-checkin-clear]") || /[?&]logged_out=1/.test(location.search)) { clearAll(); }

  var root = document.querySelector("[data-desk]");
  if (!root) { return; }

  // ---- words -------------------------------------------------------------------------------
  // The page serves this desk's messages in the staff member's language (a JSON block, not a
  // script: CSP is unaffected), keyed by the English text, which is also the fallback.
  var STRINGS = (function () {
    var node = document.getElementById("desk-strings");
    try { return (node && JSON.parse(node.textContent)) || {}; } catch (e) { return {}; }
  })();
  function fill(text, values) {
    return text.replace(/%\((\w+)\)[sd]/g, function (match, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }
  function t(text, values) {
    var found = STRINGS[text];
    return fill(typeof found === "string" && found ? found : text, values);
  }
  // Plurals: the server fills "one" and "other" for each; for now n === 1 picks "one". A language
  // with more plural forms would have the server fill Intl.PluralRules categories ("few", "many")
  // and pick them here with new Intl.PluralRules(lang).select(n).
  function tn(singular, plural, n, values) {
    var forms = STRINGS[singular];
    var form = n === 1 ? "one" : "other";
    var text = forms && typeof forms === "object" && forms[form] ? forms[form] : (n === 1 ? singular : plural);
    var all = { num: n };
    Object.keys(values || {}).forEach(function (name) { all[name] = values[name]; });
    return fill(text, all);
  }

  // ---- state -----------------------------------------------------------------------------
  var cfg = root.dataset;
  var key = cfg.cacheKey;
  // Times come from the server's clock, not the device's: a borrowed phone at the door may be set
  // wrong. The offset is measured once, when the page loads.
  var clockOffset = cfg.serverNow ? Date.parse(cfg.serverNow) - Date.now() : 0;
  function serverNow() { return new Date(Date.now() + clockOffset); }
  // Every time the desk shows is in the event's time zone (named on the page), as the server's are,
  // never the device's own zone.
  var timeFormat = (function () {
    try {
      return new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: cfg.timezone || "UTC" });
    } catch (e) {
      return new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC" });
    }
  })();
  function eventTime(date) { return timeFormat.format(date); }
  var input = root.querySelector("[data-input]");
  var resultBox = root.querySelector("[data-result]");
  var resultsWrap = root.querySelector("[data-results-wrap]");
  var resultsList = root.querySelector("[data-results]");
  var netText = root.querySelector("[data-net-text]");
  var copyText = root.querySelector("[data-copy-text]");
  var netBox = root.querySelector("[data-net]");
  var undoButton = root.querySelector("[data-undo]");
  var syncButton = root.querySelector("[data-sync]");
  var stationInput = root.querySelector("[data-station-input]");
  var online = navigator.onLine !== false;
  var local = { rows: {}, list: [], room: null };  // code -> row object, from the offline download
  var queue = loadQueue();
  var lastAction = null;  // {kind: "server", id} or {kind: "queued", scan_id}
  var searchTimer = null;
  var lastSearch = { query: "", results: [] };
  var conflicts = [];
  var syncing = false;

  stationInput.value = localStorage.getItem(key + "-station") || cfg.station || "";
  stationInput.addEventListener("change", function () { localStorage.setItem(key + "-station", stationInput.value.trim()); });

  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(key + "-queue") || "[]"); } catch (e) { return []; }
  }
  function saveQueue() { localStorage.setItem(key + "-queue", JSON.stringify(queue)); }

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // ---- server ------------------------------------------------------------------------------
  function headers(json) {
    var h = { Accept: "application/json" };
    if (json) { h["Content-Type"] = "application/json"; }
    if (cfg.linkToken) { h["X-Checkin-Link"] = cfg.linkToken; } else if (cfg.csrf) { h["X-CSRFToken"] = cfg.csrf; }
    return h;
  }
  // Resolves with {status, body}; rejects only when the server cannot be reached.
  function call(path, body) {
    var options = { method: body ? "POST" : "GET", headers: headers(!!body), credentials: "same-origin", cache: "no-store" };
    if (body) { options.body = JSON.stringify(body); }
    return fetch(cfg.api + "/" + path, options).then(function (response) {
      if (response.status >= 502 && response.status <= 504) { throw new Error("gateway"); }
      return response.json().catch(function () { return {}; }).then(function (data) {
        setOnline(true);
        if (cfg.linkToken && (response.status === 403 || response.status === 404) && !body) { linkStopped(data); }
        return { status: response.status, body: data };
      });
    }, function (error) { setOnline(false); throw error; });
  }

  function setOnline(value) {
    var changed = value !== online;
    online = value;
    renderNet();
    if (changed && value) { syncQueue(); }
  }
  function renderNet() {
    netBox.classList.toggle("is-offline", !online);
    netBox.classList.toggle("is-waiting", queue.length > 0);
    var text;
    if (!online) {
      text = tn("Offline: checking against this device's copy. %(num)d scan waiting.",
                "Offline: checking against this device's copy. %(num)d scans waiting.", queue.length);
    } else if (queue.length) {
      text = tn("Online. %(num)d scan waiting to be sent.", "Online. %(num)d scans waiting to be sent.", queue.length);
    } else {
      text = t("Online. All scans sent.");
    }
    if (conflicts.length) { text += " " + tn("%(num)d conflict to review.", "%(num)d conflicts to review.", conflicts.length); }
    netText.textContent = text;
    syncButton.hidden = !(online && queue.length);
  }

  function linkStopped(data) {
    clearAll();
    input.disabled = true;
    showMessage("bad", t("This link no longer works"), (data && data.error && data.error.message) || t("Ask the organisers for a new link."));
  }

  // ---- offline copy ------------------------------------------------------------------------
  function useDownload(data) {
    var fields = data.fields;
    // room: a per-session list's capacity and the places people who did not sign up may still take.
    local = { rows: {}, list: [], room: data.room ? { capacity: data.room.capacity, left: data.room.walk_in_places_left } : null };
    data.rows.forEach(function (values) {
      var row = {};
      fields.forEach(function (name, i) { row[name] = values[i]; });
      row.search = (row.name + " " + row.organisation).toLowerCase();
      local.rows[row.code] = row;
      local.list.push(row);
    });
    queue.forEach(function (scan) {
      var row = local.rows[scan.code];
      if (row) { markLocal(row, scan.scanned_at); takePlace(row, -1); }
    });
    // Staff can see that the device is ready for the Wi-Fi dropping, and how old its copy is.
    var asOf = new Date(data.generated_at);
    copyText.textContent = tn("Offline copy on this device: %(num)d person, as of %(time)s.",
                              "Offline copy on this device: %(num)d people, as of %(time)s.", local.list.length, { time: eventTime(asOf) });
    copyText.hidden = false;
  }
  function takePlace(row, change) {  // change: -1 takes a walk-in place, +1 gives it back
    if (local.room && row.signed_up === false) { local.room.left += change; }
  }
  function markLocal(row, iso) {
    row.checked_in_at = iso;
    row.checked_in_by = t("this device");
    row.station = stationInput.value.trim();
  }
  function download() {
    return call("offline").then(function (response) {
      if (response.status !== 200) { return; }
      useDownload(response.body);
      return idb("readwrite", function (store) { return store.put({ key: key, data: response.body }); }).catch(function () {});
    }).catch(function () {
      return idb("readonly", function (store) { return store.get(key); }).then(function (saved) {
        if (saved && saved.data) { useDownload(saved.data); }
      }).catch(function () {});
    });
  }

  // ---- results -----------------------------------------------------------------------------
  var ICONS = { ok: "✓", warn: "!", bad: "✕", info: "i" };
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function showMessage(tone, title, message) { render({ tone: tone, title: title, message: message }); }
  function render(result) {
    resultBox.textContent = "";
    var card = el("div", "result result--" + result.tone);
    var head = el("p", "result__title");
    head.appendChild(el("span", "result__icon", ICONS[result.tone] || ""));
    head.appendChild(document.createTextNode(" " + result.title));
    card.appendChild(head);
    var who = result.attendee;
    if (who) {
      card.appendChild(el("p", "result__name", who.name));
      var facts = el("ul", "result__facts");
      [[t("Pronouns"), who.pronouns], [t("Category"), who.category], [t("Organisation"), who.organisation]].forEach(function (pair) {
        if (pair[1]) { facts.appendChild(el("li", "", pair[0] + ": " + pair[1])); }
      });
      card.appendChild(facts);
      [[t("Accessibility needs"), who.accessibility], [t("Interpretation"), who.interpretation], [t("Language"), who.language]].forEach(function (pair) {
        if (pair[1]) { card.appendChild(el("p", "result__need", pair[0] + ": " + pair[1])); }
      });
    }
    if (result.message) { card.appendChild(el("p", "result__message", result.message)); }
    var actions = el("div", "actions");
    if (who && who.id && (result.outcome === "ok" || result.outcome === "already") && !result.offline) {
      var badge = el("button", "button button--small", t("Print badge"));
      badge.type = "button";
      badge.addEventListener("click", function () { printBadge(who.id); });
      actions.appendChild(badge);
    }
    if (actions.childNodes.length) { card.appendChild(actions); }
    if (result.outcome === "unpaid" && who && who.id && !result.offline) { card.appendChild(payForm(who, result)); }
    resultBox.appendChild(card);
  }

  // "Paid now at the door": amount and how, then the server records it and checks the person in.
  var payCount = 0;
  function payForm(who, result) {
    payCount += 1;
    var form = el("form", "result__pay");
    var amountId = "pay-amount-" + payCount, howId = "pay-how-" + payCount;
    var amountField = el("div", "field");
    var amountLabel = el("label", "", t("Amount received (%(currency)s)", { currency: result.currency }));
    amountLabel.htmlFor = amountId;
    var amount = el("input");
    amount.id = amountId;
    amount.inputMode = "decimal";
    amount.value = result.amount_due;  // the server writes it with the currency's decimals (yen have none)
    amountField.appendChild(amountLabel);
    amountField.appendChild(amount);
    var howField = el("div", "field");
    var howLabel = el("label", "", t("How"));
    howLabel.htmlFor = howId;
    var how = el("select");
    how.id = howId;
    [["cash", t("Cash")], ["card", t("Card terminal")], ["other", t("Other")]].forEach(function (o) {
      var option = el("option", "", o[1]);
      option.value = o[0];
      how.appendChild(option);
    });
    howField.appendChild(howLabel);
    howField.appendChild(how);
    var button = el("button", "button button--primary", t("Paid now at the door: check in"));
    button.type = "submit";
    form.appendChild(amountField);
    form.appendChild(howField);
    form.appendChild(button);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      call("pay", { registration_id: who.id, amount: amount.value, how: how.value, station: stationInput.value.trim() }).then(function (response) {
        if (response.status === 200) {
          render(response.body);
          if (response.body.outcome === "ok" && response.body.check_in) {
            lastAction = { kind: "server", id: response.body.check_in.id, name: response.body.attendee.name };
            undoButton.disabled = false;
          }
          refreshStats();
          input.focus();
        } else {
          var error = response.body.error || {};
          var fields = error.fields || {};
          showMessage("bad", t("Payment not recorded"), Object.keys(fields).map(function (k) { return fields[k]; }).join(" ") || error.message || t("Please try again."));
        }
      }, function () { showMessage("bad", t("Payment not recorded"), t("The server cannot be reached. Take the payment again when the network is back.")); });
    });
    return form;
  }

  function printBadge(registrationId) {
    var form = root.querySelector("[data-badge-form]");
    form.action = cfg.badgeUrl;
    form.elements.registration_id.value = registrationId;
    form.submit();
    refocus();
  }

  // ---- scan, search, undo ------------------------------------------------------------------
  function redeem(code) {
    code = (code || "").trim();
    if (!code) { return Promise.resolve(); }
    var scan = { scan_id: uuid(), code: code, scanned_at: serverNow().toISOString(), station: stationInput.value.trim() };
    if (!online) { return Promise.resolve(decideLocally(scan)); }
    return call("redeem", scan).then(function (response) {
      var body = response.body;
      if (response.status !== 200) {
        showMessage("bad", t("Not checked in"), (body.error && body.error.message) || t("The server refused the scan."));
        return;
      }
      render(body);
      if (body.outcome === "ok" && body.check_in) {
        lastAction = { kind: "server", id: body.check_in.id, name: body.attendee.name };
        var row = local.rows[code];
        if (row) { row.checked_in_at = serverNow().toISOString(); row.checked_in_by = body.check_in.by; row.station = body.check_in.station; }
      }
      undoButton.disabled = !lastAction;
      refreshStats();
    }, function () { decideLocally(scan); });
  }

  function decideLocally(scan) {
    var row = local.rows[scan.code];
    var TITLES = { cancelled: t("Not valid: registration cancelled"), unpaid: t("Not paid"), pending_approval: t("Pending approval"),
                   not_admitted: t("Not admitted through this list") };
    if (!row) {
      showMessage("bad", t("Unknown code"), t("This code is not in this device's offline copy. Search by name, or send the person to the help desk."));
      return;
    }
    var attendee = { name: row.name, pronouns: row.pronouns, category: row.category, organisation: row.organisation,
                     accessibility: row.accessibility, interpretation: row.interpretation, language: row.language };
    if (row.state !== "ok") {
      render({ tone: "bad", title: TITLES[row.state] || t("Not admitted"), attendee: attendee, offline: true,
               message: t("Decided offline from this device's copy. Send the person to the help desk.") });
      return;
    }
    if (row.checked_in_at) {
      render({ tone: "warn", title: t("Already checked in"), outcome: "already", attendee: attendee, offline: true,
               message: alreadyMessage(eventTime(new Date(row.checked_in_at)), row.checked_in_by, row.station) });
      return;
    }
    if (local.room && row.signed_up === false && local.room.left <= 0) {
      render({ tone: "bad", title: t("Session full"), attendee: attendee, offline: true,
               message: t("All %(capacity)s places are taken and this person did not sign up (decided offline from this device's count). Suggest another session.",
                          { capacity: local.room.capacity }) });
      return;
    }
    markLocal(row, scan.scanned_at);
    takePlace(row, -1);
    queue.push(scan);
    saveQueue();
    lastAction = { kind: "queued", scan_id: scan.scan_id, name: row.name };
    undoButton.disabled = false;
    render({ tone: "ok", title: t("Checked in (offline)"), outcome: "ok", attendee: attendee, offline: true,
             message: t("%(name)s is checked in on this device; the scan will be sent when the network returns.", { name: row.name }) });
    renderNet();
  }

  // The same four sentences as the server's (confapp/checkin/desk.py already_message).
  function alreadyMessage(time, by, station) {
    var values = { time: time, by: by, station: station };
    if (by && station) { return t("Already checked in at %(time)s by %(by)s at %(station)s.", values); }
    if (by) { return t("Already checked in at %(time)s by %(by)s.", values); }
    if (station) { return t("Already checked in at %(time)s at %(station)s.", values); }
    return t("Already checked in at %(time)s.", values);
  }

  function undo() {
    if (!lastAction) { return; }
    var action = lastAction;
    if (action.kind === "queued") {
      queue = queue.filter(function (scan) {
        if (scan.scan_id !== action.scan_id) { return true; }
        var row = local.rows[scan.code];
        if (row) { row.checked_in_at = null; row.checked_in_by = ""; row.station = ""; takePlace(row, 1); }
        return false;
      });
      saveQueue();
      lastAction = null;
      undoButton.disabled = true;
      showMessage("info", t("Undone"), t("The waiting check-in of %(name)s was removed.", { name: action.name }));
      renderNet();
      refocus();
      return;
    }
    call("undo", { check_in_id: action.id }).then(function (response) {
      if (response.status === 200) {
        lastAction = null;
        undoButton.disabled = true;
        showMessage("info", t("Undone"), response.body.message);
        refreshStats();
      } else {
        showMessage("bad", t("Could not undo"), (response.body.error && response.body.error.message) || t("Please try again."));
      }
    }, function () { showMessage("bad", t("Could not undo while offline"), t("Try again when the network is back.")); });
    refocus();
  }

  function looksLikeCode(value) { return !!local.rows[value] || (/^[A-Za-z0-9_-]{6,}$/.test(value) && /\d/.test(value)); }

  function search(query) {
    query = query.trim();
    if (query.length < 2 || looksLikeCode(query)) { showResults(query, []); return; }
    if (!online) { showResults(query, searchLocally(query)); return; }
    call("search?q=" + encodeURIComponent(query)).then(function (response) {
      if (input.value.trim() === query) { showResults(query, (response.body && response.body.results) || []); }
    }, function () { showResults(query, searchLocally(query)); });
  }
  function searchLocally(query) {
    var words = query.toLowerCase().split(/\s+/);
    return local.list.filter(function (row) {
      return words.every(function (w) { return row.search.indexOf(w) !== -1; });
    }).slice(0, 20).map(function (row) {
      return { ticket_code: row.code, name: row.name, category: row.category, organisation: row.organisation, email: "",
               checked_in_at: row.checked_in_at ? "earlier" : "" };
    });
  }
  function showResults(query, results) {
    lastSearch = { query: query, results: results };
    resultsList.textContent = "";
    resultsWrap.hidden = results.length === 0;
    results.forEach(function (r) {
      var item = el("li", "desk__match");
      var text = el("div", "desk__match-text");
      text.appendChild(el("strong", "", r.name));
      var meta = [r.category, r.organisation, r.email].filter(Boolean).join(" · ");
      if (meta) { text.appendChild(el("span", "meta", meta)); }
      if (r.checked_in_at) {
        text.appendChild(el("span", "desk__match-in", r.checked_in_at === "earlier" ? t("Already checked in") + " "
          : t("Already checked in at %(time)s", { time: r.checked_in_at })));
      }
      item.appendChild(text);
      var button = el("button", "button button--small button--primary", t("Check in"));
      button.type = "button";
      button.appendChild(el("span", "visually-hidden", " " + r.name));
      button.addEventListener("click", function () { input.value = ""; showResults("", []); redeem(r.ticket_code).then(refocus); });
      item.appendChild(button);
      resultsList.appendChild(item);
    });
  }

  root.querySelector("[data-scan-form]").addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(searchTimer);
    var value = input.value.trim();
    if (!value) { return; }
    if (!looksLikeCode(value) && lastSearch.query === value && lastSearch.results.length) {
      if (lastSearch.results.length === 1) { input.value = ""; redeem(lastSearch.results[0].ticket_code); showResults("", []); return; }
      showMessage("info", tn("%(num)d match", "%(num)d matches", lastSearch.results.length), t("Choose the person from the matches below."));
      return;
    }
    input.value = "";
    showResults("", []);
    redeem(value).then(refocus);
  });
  input.addEventListener("input", function () {
    window.clearTimeout(searchTimer);
    var value = input.value;
    searchTimer = window.setTimeout(function () { search(value); }, 180);
  });
  undoButton.addEventListener("click", undo);
  syncButton.addEventListener("click", function () { syncQueue(); refocus(); });
  root.querySelector("[data-clear-cache]").addEventListener("click", function () {
    clearAll();
    queue = [];
    local = { rows: {}, list: [] };
    renderNet();
    showMessage("info", t("Offline copy removed"), t("This device no longer holds the attendee list."));
  });

  // Keep the input focused for the scanner, unless the person is using another control.
  function refocus() {
    var active = document.activeElement;
    if (!active || active === document.body || active === resultBox) { input.focus(); }
  }
  document.addEventListener("click", function (event) {
    if (!event.target.closest("input, select, textarea, button, a, summary, details, video")) { input.focus(); }
  });

  // ---- walk-in ------------------------------------------------------------------------------
  var walkin = root.querySelector("[data-walkin-form]");
  var amountBox = walkin && walkin.querySelector("[data-walkin-amount]");
  // Pay what you can: the amount the person pays, starting from the suggested one.
  function showAmount() {
    var option = walkin.elements.category_id.selectedOptions[0];
    var flexible = !!(option && option.hasAttribute("data-pay-what-you-can"));
    amountBox.hidden = !flexible;
    if (flexible) {
      walkin.querySelector("[data-walkin-currency]").textContent = option.dataset.currency;
      walkin.querySelector("[data-walkin-amount-hint]").textContent = option.dataset.hint;
      walkin.elements.amount.value = option.dataset.suggested;
    }
  }
  if (walkin) {
    walkin.elements.category_id.addEventListener("change", showAmount);
    showAmount();
    walkin.addEventListener("submit", function (event) {
      event.preventDefault();
      var errors = walkin.querySelector("[data-walkin-errors]");
      errors.textContent = "";
      if (!online) { errors.appendChild(el("p", "error-message", t("Walk-ins need the network: registering checks capacity on the server."))); errors.focus(); return; }
      var data = { station: stationInput.value.trim() };
      ["first_name", "last_name", "email", "category_id"].forEach(function (name) { data[name] = walkin.elements[name].value.trim(); });
      if (!amountBox.hidden) { data.amount = walkin.elements.amount.value.trim(); }
      call("walkin", data).then(function (response) {
        if (response.status === 200) {
          walkin.reset();
          showAmount();
          walkin.closest("details").open = false;
          render(response.body);
          if (response.body.outcome === "ok" && response.body.check_in) {
            lastAction = { kind: "server", id: response.body.check_in.id, name: response.body.attendee.name };
            undoButton.disabled = false;
          }
          download();
          refreshStats();
          input.focus();
          return;
        }
        var error = response.body.error || {};
        errors.appendChild(el("p", "error-message", error.message || t("The walk-in could not be registered.")));
        var fields = error.fields || {};
        var list = el("ul");
        Object.keys(fields).forEach(function (name) { list.appendChild(el("li", "", fields[name])); });
        if (list.childNodes.length) { errors.appendChild(list); }
        errors.focus();
      }, function () { errors.appendChild(el("p", "error-message", t("The server cannot be reached. Try again in a moment."))); errors.focus(); });
    });
  }

  // ---- sync -------------------------------------------------------------------------------
  function syncQueue() {
    if (syncing || !queue.length || !online) { return; }
    syncing = true;
    var batch = queue.slice(0, 200);
    call("sync", { scans: batch }).then(function (response) {
      syncing = false;
      if (response.status !== 200) { return; }
      var done = {};
      response.body.results.forEach(function (item) {
        done[item.scan_id] = item;
        if (item.conflict) { conflicts.push(item); }
      });
      queue = queue.filter(function (scan) { return !done[scan.scan_id]; });
      saveQueue();
      if (lastAction && lastAction.kind === "queued" && done[lastAction.scan_id]) {
        // The waiting check-in is now the server's: undo it there (unless the server refused it or
        // another device had checked the person in first).
        var synced = done[lastAction.scan_id];
        lastAction = synced.outcome === "ok" && synced.check_in && !synced.conflict && !synced.refused
          ? { kind: "server", id: synced.check_in.id, name: lastAction.name } : null;
        undoButton.disabled = !lastAction;
      }
      renderNet();
      if (response.body.refused) {
        // Admitted offline, refused now (cancelled or unpaid since the download, or the room
        // filled up from another desk): the most serious news comes first.
        var refused = response.body.results.filter(function (i) { return i.refused; })[0];
        render({ tone: "bad", title: t("Refused after going back online"), attendee: refused.attendee,
                 message: tn("%(num)d waiting scan(s) were refused by the server. %(title)s: %(message)s",
                             "%(num)d waiting scan(s) were refused by the server. %(title)s: %(message)s",
                             response.body.refused, { title: refused.title, message: refused.message }) });
        download();  // this device's copy was out of date: take the server's again
      } else if (response.body.conflicts) {
        var first = response.body.results.filter(function (i) { return i.conflict; })[0];
        render({ tone: "warn", title: t("Conflict after going back online"), attendee: first.attendee,
                 message: tn("%(num)d waiting scan(s) were already checked in on another device. %(message)s",
                             "%(num)d waiting scan(s) were already checked in on another device. %(message)s",
                             response.body.conflicts, { message: first.message }) });
      } else {
        showMessage("info", t("Back online"), t("Waiting scans were sent."));
      }
      refreshStats();
      if (queue.length) { syncQueue(); }
    }, function () { syncing = false; });
  }
  window.addEventListener("online", function () { setOnline(true); refreshStats(); });
  window.addEventListener("offline", function () { setOnline(false); });

  // ---- counts -----------------------------------------------------------------------------
  function refreshStats() {
    return call("stats").then(function (response) {
      if (response.status !== 200) { return; }
      var data = response.body;
      root.querySelector("[data-count]").textContent = data.checked_in;
      root.querySelector("[data-expected]").textContent = data.expected;
      var box = root.querySelector("[data-categories]");
      box.textContent = "";
      if (!data.categories.length) { return; }
      var list = el("ul", "desk__cats");
      data.categories.forEach(function (c) { list.appendChild(el("li", "", t("%(name)s: %(checked_in)s of %(expected)s", c))); });
      box.appendChild(list);
      if (queue.length) { syncQueue(); }
    }, function () {});
  }

  // ---- camera -----------------------------------------------------------------------------
  var cameraButton = root.querySelector("[data-camera]");
  var cameraMsg = root.querySelector("[data-camera-msg]");
  var video = root.querySelector("[data-video]");
  var stream = null;
  var recent = {};
  cameraButton.addEventListener("click", function () {
    if (stream) { stopCamera(); return; }
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices) {
      cameraMsg.textContent = t("This browser cannot read QR codes with the camera. Use a USB or Bluetooth scanner, or type the code or the person's name.");
      refocus();
      return;
    }
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      video.play();
      cameraButton.textContent = t("Stop camera");
      cameraMsg.textContent = t("Camera on: hold the ticket's QR code in view.");
      var loop = function () {
        if (!stream) { return; }
        detector.detect(video).then(function (codes) {
          var now = Date.now();
          codes.forEach(function (c) {
            if (!recent[c.rawValue] || now - recent[c.rawValue] > 4000) { recent[c.rawValue] = now; redeem(c.rawValue); }
          });
        }).catch(function () {}).then(function () { window.setTimeout(loop, 250); });
      };
      loop();
    }, function () {
      cameraMsg.textContent = t("The camera could not be opened (permission refused or no camera). Use a scanner or type the code.");
    });
  });
  function stopCamera() {
    stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.hidden = true;
    cameraButton.textContent = t("Scan with camera");
    cameraMsg.textContent = t("Camera off.");
  }

  // ---- lifetime ----------------------------------------------------------------------------
  document.addEventListener("submit", function (event) {
    if (event.target.action && /\/account\/logout/.test(event.target.action)) { clearAll(); }
  }, true);
  if (cfg.expiresAt) {
    var left = new Date(cfg.expiresAt).getTime() - serverNow().getTime();
    if (left <= 0) { linkStopped(); } else if (left < 2147483647) { window.setTimeout(function () { linkStopped(); }, left); }
  }

  renderNet();
  download().then(function () { renderNet(); syncQueue(); });
  refreshStats();
  window.setInterval(function () { if (!document.hidden) { refreshStats(); } }, 5000);
  input.focus();
})();
