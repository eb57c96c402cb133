/*!
 * enclave-embed.js — mount an Enclave dashboard in your page. No dependencies.
 *
 *   <div id="analytics"></div>
 *   <script src="https://YOUR-ENCLAVE/enclave-embed.js"></script>
 *   <script>
 *     const embed = Enclave.mount(document.getElementById("analytics"), {
 *       // Your backend calls POST /v1/embed-sessions with its API key and returns that JSON.
 *       fetchToken: () => fetch("/my-backend/enclave-session").then((r) => r.json()),
 *       theme: { mode: "light", brand: "#4f46e5" },
 *       onEvent: (event) => console.log(event.type, event),
 *     });
 *     embed.setTheme({ mode: "dark" });      // no reload
 *     embed.setEmbedUrl(otherSession.embed_url); // swap sessions without reloading your page
 *     embed.destroy();
 *   </script>
 *
 * Events: ready, resize, error, expired, filter-change (and session, when a new session is mounted).
 * Messages are accepted only from the iframe's own window and origin; the iframe
 * in turn talks only to the origins signed into its session.
 */
(function (global) {
  "use strict";

  var DEFAULT_REFRESH_BEFORE_SECONDS = 60;

  function decodeClaims(url) {
    try {
      var token = decodeURIComponent(new URL(url).pathname.split("/embed/")[1] || "");
      var part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(atob(part + "===".slice((part.length + 3) % 4)));
    } catch {
      return {};
    }
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

    var state = { url: null, origin: null, claims: {}, filters: null, theme: options.theme || null, timer: null, destroyed: false, rotating: false };

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

    function scheduleRefresh(expiresAt) {
      clearTimeout(state.timer);
      if (typeof options.fetchToken !== "function" || !expiresAt) return;
      var before = (options.refreshBeforeSeconds != null ? options.refreshBeforeSeconds : DEFAULT_REFRESH_BEFORE_SECONDS) * 1000;
      var wait = new Date(expiresAt).getTime() - Date.now() - before;
      state.timer = setTimeout(rotate, Math.max(0, wait));
    }

    function setEmbedUrl(url, expiresAt) {
      var claims = decodeClaims(url);
      // Filters carry over only when tenant and dashboard stay the same.
      var keep = state.filters && claims.tenant === state.claims.tenant && claims.dashboard === state.claims.dashboard;
      if (!keep) state.filters = null;
      state.url = url;
      state.origin = new URL(url).origin;
      state.claims = claims;
      iframe.src = url + themeFragment(state.theme);
      scheduleRefresh(expiresAt || (claims.exp ? claims.exp * 1000 : null));
    }

    function rotate() {
      if (state.destroyed || state.rotating || typeof options.fetchToken !== "function") return Promise.resolve();
      state.rotating = true;
      return Promise.resolve()
        .then(options.fetchToken)
        .then(function (session) {
          if (!session || !session.embed_url) throw new Error("fetchToken must resolve to the JSON of POST /v1/embed-sessions");
          if (state.destroyed) return;
          setEmbedUrl(session.embed_url, session.expires_at);
          emit({ type: "session", session_id: session.session_id, expires_at: session.expires_at });
        })
        .catch(function (error) {
          emit({ type: "error", code: "fetch_token_failed", message: String((error && error.message) || error) });
        })
        .then(function () {
          state.rotating = false;
        });
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
        rotate();
        return;
      }
      emit(Object.assign({}, data, { source: undefined }));
    }

    global.addEventListener("message", onMessage);

    var api = {
      iframe: iframe,
      setEmbedUrl: function (url) {
        setEmbedUrl(url, null);
      },
      setTheme: function (theme) {
        state.theme = Object.assign({}, state.theme, theme);
        post({ source: "enclave-host", type: "set-theme", theme: state.theme });
      },
      refresh: rotate,
      destroy: function () {
        state.destroyed = true;
        clearTimeout(state.timer);
        global.removeEventListener("message", onMessage);
        if (iframe.parentNode) iframe.parentNode.removeChild(iframe);
      },
    };

    if (options.url) setEmbedUrl(options.url, null);
    else rotate();
    return api;
  }

  global.Enclave = { mount: mount, version: "1" };
})(typeof window !== "undefined" ? window : this);
