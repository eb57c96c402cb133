/*!
 * enclave-embed.js — mount an Enclave dashboard in your page. No dependencies.
 *
 *   <div id="analytics"></div>
 *   <script src="https://YOUR-ENCLAVE/enclave-embed.js"></script>
 *   <script>
 *     const embed = Enclave.mount(document.getElementById("analytics"), {
 *       // Your backend calls POST /v1/embed-sessions with its API key and returns that JSON.
 *       // { locale } is what setLocale asked for (or the locale option): mint the session with it.
 *       fetchToken: ({ locale }) => fetch("/my-backend/enclave-session?locale=" + (locale || "")).then((r) => r.json()),
 *       locale: "de",
 *       theme: { mode: "light", brand: "#4f46e5" },
 *       onEvent: (event) => console.log(event.type, event),
 *     });
 *     embed.setTheme({ mode: "dark" });      // no reload
 *     embed.setLocale("fr");                 // a new session in that locale (through fetchToken); filters carry over
 *     embed.setEmbedUrl(otherSession.embed_url); // swap sessions without reloading your page
 *     embed.destroy();
 *   </script>
 *
 * Events: ready, resize, error, expired, filter-change, drill (a click on a chart filtered the dashboard;
 * a filter-change follows it) and session, when a new session is mounted.
 * Renewal follows the session's own lifetime (exp - iat), never the browser's clock, with backoff on failures.
 * Messages are accepted only from the iframe's own window and origin; the iframe
 * in turn talks only to the origins signed into its session.
 */
(function (global) {
  "use strict";

  var DEFAULT_REFRESH_BEFORE_SECONDS = 60;
  // A session is renewed `refreshBeforeSeconds` before it ends, but never in the
  // first three quarters of its life, so a short session is not renewed at once.
  var MIN_LIFE_SHARE = 0.75;
  var MIN_RENEW_MS = 5000;
  // Failed renewals (and sessions that end early) wait longer each time, then stop.
  var BACKOFF_FIRST_MS = 2000;
  var BACKOFF_MAX_MS = 60000;
  var MAX_FAILURES = 5;

  function decodeClaims(url) {
    try {
      var token = decodeURIComponent(new URL(url).pathname.split("/embed/")[1] || "");
      var part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(atob(part + "===".slice((part.length + 3) % 4)));
    } catch {
      return {};
    }
  }

  /**
   * When to renew, in ms from now, from the session's own lifetime (exp - iat,
   * both set by the server), never from the browser's clock, which may be off.
   */
  function lifetimeMs(claims) {
    return claims.exp && claims.iat && claims.exp > claims.iat ? (claims.exp - claims.iat) * 1000 : null;
  }

  /** refreshBeforeSeconds: 0 renews only when the embed reports the session ended. */
  function renewalDelay(lifetime, refreshBeforeSeconds) {
    var before = (refreshBeforeSeconds != null ? refreshBeforeSeconds : DEFAULT_REFRESH_BEFORE_SECONDS) * 1000;
    if (lifetime == null || !(before > 0)) return null;
    return Math.max(lifetime - before, lifetime * MIN_LIFE_SHARE, MIN_RENEW_MS);
  }

  /** 2 s, 4 s, 8 s … up to 60 s, with ±20% jitter so many embeds do not retry in step. */
  function backoffDelay(failures) {
    var base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * Math.pow(2, Math.max(0, failures - 1)));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  /** A plain page for the iframe when no session could be had at all. */
  function unavailablePage(message) {
    var text = String(message).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
    return '<!doctype html><meta charset="utf-8"><body style="font:14px system-ui,sans-serif;color:#555;display:grid;place-items:center;min-height:90vh;margin:0"><p role="status">' + text + "</p>";
  }

  function themeFragment(theme) {
    var params = [];
    if (theme && (theme.mode === "light" || theme.mode === "dark")) params.push("theme=" + theme.mode);
    if (theme && theme.brand) params.push("brand=" + encodeURIComponent(theme.brand));
    return params.length ? "#" + params.join("&") : "";
  }

  function mount(container, options) {
    if (!container || !container.appendChild) throw new Error("Enclave.mount: pass a DOM element to mount into");
    options = options || {};
    if (!options.url && typeof options.fetchToken !== "function") throw new Error("Enclave.mount: pass { url } or { fetchToken }");

    var iframe = document.createElement("iframe");
    iframe.title = options.title || "Analytics dashboard";
    iframe.style.cssText = "width:100%;border:0;display:block;min-height:" + (options.minHeight || 400) + "px";
    iframe.setAttribute("referrerpolicy", "no-referrer");
    container.appendChild(iframe);

    var state = {
      url: null,
      origin: null,
      claims: {},
      filters: null,
      theme: options.theme || null,
      // The locale every fetchToken call asks for (setLocale changes it); undefined: the host's default.
      locale: options.locale || undefined,
      timer: null,
      // Whether the pending timer is a session's planned renewal (not a retry).
      timerPlanned: false,
      // The mounted session's lifetime (exp - iat) and when it was mounted (performance.now()).
      lifetime: null,
      setAt: 0,
      destroyed: false,
      rotating: false,
      // A refresh asked for while one is in flight runs after it (a tenant switch is not lost).
      pending: false,
      // Renewals in a row that failed or came early because a session ended; 0 after one that went as planned.
      failures: 0,
      stopped: false,
    };

    function emit(event) {
      if (typeof options.onEvent === "function") {
        try {
          options.onEvent(event);
        } catch {
          /* a host handler error must not break the embed */
        }
      }
    }

    function post(message) {
      if (iframe.contentWindow && state.origin) iframe.contentWindow.postMessage(message, state.origin);
    }

    /** The one renewal timer: every renewal, planned or retried, goes through it. */
    function schedule(delay, planned) {
      clearTimeout(state.timer);
      state.timer = null;
      if (state.destroyed || state.stopped || typeof options.fetchToken !== "function" || delay == null) return;
      state.timerPlanned = Boolean(planned);
      state.timer = setTimeout(function () {
        state.timer = null;
        // A session that lived to its planned renewal resets the backoff.
        if (planned) state.failures = 0;
        rotate();
      }, delay);
    }

    function setEmbedUrl(url) {
      var claims = decodeClaims(url);
      // Filters carry over only when tenant and dashboard stay the same.
      var keep = state.filters && claims.tenant === state.claims.tenant && claims.dashboard === state.claims.dashboard;
      if (!keep) state.filters = null;
      state.url = url;
      state.origin = new URL(url).origin;
      state.claims = claims;
      state.lifetime = lifetimeMs(claims);
      state.setAt = performance.now();
      iframe.removeAttribute("srcdoc");
      iframe.src = url + themeFragment(state.theme);
      schedule(renewalDelay(state.lifetime, options.refreshBeforeSeconds), true);
    }

    /** Stops renewing after repeated failures; the host can start again with refresh(). */
    function giveUp(message) {
      state.stopped = true;
      schedule(null);
      emit({ type: "error", code: "renewal_failed", message: message });
      // With no session at all there is nothing in the iframe: say so. A live session keeps
      // showing until it ends, and then shows its own expired state.
      if (!state.url) iframe.srcdoc = unavailablePage("The dashboard could not be started. Reload the page to try again.");
    }

    function failed(message) {
      state.failures += 1;
      emit({ type: "error", code: "fetch_token_failed", message: message });
      if (state.failures >= MAX_FAILURES) giveUp(message);
      else schedule(backoffDelay(state.failures));
    }

    function rotate() {
      if (state.destroyed || typeof options.fetchToken !== "function") return Promise.resolve();
      if (state.rotating) {
        state.pending = true;
        return Promise.resolve();
      }
      state.rotating = true;
      schedule(null);
      return Promise.resolve({ locale: state.locale })
        .then(options.fetchToken)
        .then(function (session) {
          if (!session || !session.embed_url) throw new Error("fetchToken must resolve to the JSON of POST /v1/embed-sessions");
          if (state.destroyed) return;
          setEmbedUrl(session.embed_url);
          emit({ type: "session", session_id: session.session_id, expires_at: session.expires_at });
          return true;
        })
        .catch(function (error) {
          failed(String((error && error.message) || error));
        })
        .then(function (renewed) {
          state.rotating = false;
          if (renewed && state.pending) {
            state.pending = false;
            return rotate();
          }
          state.pending = false;
        });
    }

    /** A renewal the host asks for (refresh) starts over, even after giving up. */
    function refreshNow() {
      state.stopped = false;
      state.failures = 0;
      return rotate();
    }

    /** The embed reports its session ended: renew; if it ended early, wait longer each time. */
    function sessionEnded() {
      // Already renewing, retrying on a timer, or given up: nothing more to do.
      if (state.stopped || state.rotating || (state.timer && !state.timerPlanned)) return;
      // Measured on the monotonic clock from when the session was mounted.
      if (state.lifetime != null && performance.now() - state.setAt >= state.lifetime * 0.9) {
        state.failures = 0; // it ran its course
        return void rotate();
      }
      state.failures += 1;
      if (state.failures >= MAX_FAILURES) return giveUp("sessions keep ending right after they start");
      schedule(backoffDelay(state.failures));
    }

    function onMessage(event) {
      if (event.source !== iframe.contentWindow || event.origin !== state.origin) return;
      var data = event.data;
      if (!data || data.source !== "enclave" || typeof data.type !== "string") return;
      if (data.type === "resize" && typeof data.height === "number" && options.autoHeight !== false) {
        iframe.style.height = Math.max(0, Math.min(data.height, 20000)) + "px";
      } else if (data.type === "ready") {
        if (state.theme) post({ source: "enclave-host", type: "set-theme", theme: state.theme });
        if (state.filters) post({ source: "enclave-host", type: "set-filters", filters: state.filters });
      } else if (data.type === "filter-change") {
        state.filters = data.filters || null;
      } else if (data.type === "expired") {
        emit({ type: "expired", code: data.code || "session_expired" });
        sessionEnded();
        return;
      }
      emit(Object.assign({}, data, { source: undefined }));
    }

    global.addEventListener("message", onMessage);

    var api = {
      iframe: iframe,
      setEmbedUrl: function (url) {
        setEmbedUrl(url);
      },
      setTheme: function (theme) {
        state.theme = Object.assign({}, state.theme, theme);
        post({ source: "enclave-host", type: "set-theme", theme: state.theme });
      },
      refresh: refreshNow,
      /** The locale is a claim of the session: a new one is fetched for it (filters carry over, as on any renewal). */
      setLocale: function (locale) {
        if (typeof options.fetchToken !== "function") return Promise.reject(new Error("Enclave: setLocale needs fetchToken (the locale is set when your backend mints the session)"));
        state.locale = locale;
        return refreshNow();
      },
      destroy: function () {
        state.destroyed = true;
        clearTimeout(state.timer);
        global.removeEventListener("message", onMessage);
        if (iframe.parentNode) iframe.parentNode.removeChild(iframe);
      },
    };

    if (options.url) setEmbedUrl(options.url);
    else rotate();
    return api;
  }

  global.Enclave = { mount: mount, version: "1" };
})(typeof window !== "undefined" ? window : this);
