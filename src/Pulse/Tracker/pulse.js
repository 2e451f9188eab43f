/* Pulse browser tracker (GET /pulse.js): page views, SPA navigation, pulse.track, pulse.identify.
   No cookies: the anonymous id lives in localStorage. Events are batched and sent to POST /v1/events
   with fetch keepalive, also when the page is hidden or closed. (keepalive is what sendBeacon does,
   and unlike a beacon it can carry the write key and a JSON content type across origins.)
   Options: data-* attributes on the script tag or window.pulseConfig; see docs/ecosystem.md. */
(function (w, d) {
  'use strict';
  var script = d.currentScript;
  var data = (script && script.dataset) || {};
  var config = w.pulseConfig || {};
  function option(name, fallback) {
    return config[name] != null ? String(config[name]) : data[name] != null ? data[name] : fallback;
  }

  var host = option('host', script && script.src ? new URL(script.src, location.href).origin : location.origin).replace(/\/+$/, '');
  var endpoint = host + '/v1/events';
  var key = option('key', '');
  var interval = +option('flushInterval', '5000');
  var batchSize = Math.max(1, +option('batchSize', '20'));
  var auto = option('auto', 'true') !== 'false';
  var n = navigator;
  var silent = option('respectDnt', 'false') === 'true' &&
    (n.doNotTrack === '1' || w.doNotTrack === '1' || n.globalPrivacyControl === true);

  // Pulse's own event fields; any other property goes into "properties".
  var fields = { product_id: 1, price: 1, quantity: 1, revenue: 1, currency: 1, order_id: 1, session_id: 1 };
  var maxQueued = 500;
  var queue = [];
  var timer = 0;
  var failures = 0;
  var lastPath = '';
  var lastUrl = '';

  // localStorage can be unavailable (blocked storage, sandboxed frames): ids then last as long as the page.
  var memory = {};
  function load(name) {
    try { var v = localStorage.getItem(name); if (v != null) return v; } catch (e) { /* fall through */ }
    return memory[name];
  }
  function save(name, value) {
    if (value == null) delete memory[name]; else memory[name] = value;
    try { if (value == null) localStorage.removeItem(name); else localStorage.setItem(name, value); } catch (e) { /* memory only */ }
  }
  function uuid() {
    return w.crypto && crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function anonymousId() {
    var id = load('pulse_aid');
    if (!id) save('pulse_aid', id = uuid());
    return id;
  }

  var ua = n.userAgent;
  var device = /iPad|Tablet/i.test(ua) ? 'tablet' : /Mobi|Android|iPhone/i.test(ua) ? 'mobile' : 'desktop';

  function enqueue(type, props, extra) {
    if (silent) return;
    var e = { event_id: uuid(), type: type, timestamp: Date.now(), anonymous_id: anonymousId(), page: location.pathname, url: location.href, device: device };
    var user = load('pulse_uid');
    if (user) e.user_id = user;
    var properties = {}, count = 0, name, value;
    for (name in props) {
      value = props[name];
      if (fields[name]) e[name] = value;
      else if (value != null && typeof value !== 'object' && typeof value !== 'function') { properties[name] = value; count++; }
    }
    if (count) e.properties = properties;
    for (name in extra) e[name] = extra[name];
    if (queue.length >= maxQueued) queue.shift();
    queue.push(e);
    if (queue.length >= batchSize) flush();
    else schedule(interval);
  }

  function schedule(delay) {
    if (!timer) timer = setTimeout(flush, delay);
  }

  function flush() {
    clearTimeout(timer);
    timer = 0;
    while (queue.length) deliver(queue.splice(0, batchSize));
  }

  function deliver(batch) {
    var body = JSON.stringify(batch);
    var headers = { 'Content-Type': 'application/json' };
    if (key) headers.Authorization = 'Bearer ' + key;
    fetch(endpoint, { method: 'POST', body: body, headers: headers, keepalive: true, credentials: 'omit' }).then(function (r) {
      // Retry what the server could not take now; a 4xx other than 429 would fail again.
      if (r.status === 429 || r.status >= 500) retry(batch); else failures = 0;
    }, function () { retry(batch); });
  }

  function retry(batch) {
    // Same event_ids: a copy that did arrive is counted once.
    queue = batch.concat(queue).slice(-maxQueued);
    failures++;
    schedule(Math.min(60000, 1000 * Math.pow(2, failures)));
  }

  function pageView() {
    var path = location.pathname + location.search;
    if (path === lastPath) return;
    var referrer = lastUrl || d.referrer;
    lastPath = path;
    lastUrl = location.href;
    enqueue('page_view', null, referrer ? { referrer: referrer } : null);
  }

  var api = {
    track: function (type, props) { enqueue(String(type), props); },
    identify: function (userId) { save('pulse_uid', userId == null ? null : String(userId)); },
    reset: function () { save('pulse_uid', null); save('pulse_aid', null); },
    page: function () { lastPath = ''; pageView(); },
    flush: flush
  };

  if (auto) {
    ['pushState', 'replaceState'].forEach(function (method) {
      var original = history[method];
      history[method] = function () {
        var result = original.apply(this, arguments);
        pageView();
        return result;
      };
    });
    w.addEventListener('popstate', pageView);
    pageView();
  }

  w.addEventListener('pagehide', flush);
  d.addEventListener('visibilitychange', function () { if (d.visibilityState === 'hidden') flush(); });

  // Calls made before the script loaded: window.pulse = {q: [["track", [...]], ...]}.
  var early = (w.pulse && w.pulse.q) || [];
  w.pulse = api;
  early.forEach(function (call) { if (api[call[0]]) api[call[0]].apply(api, call[1]); });
})(window, document);
