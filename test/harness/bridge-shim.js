// The web harness's stand-in for the Electron preload: `window.kiosk` (common/contract.ts KioskBridge) over a
// loopback WebSocket to the same handler table main/index.ts serves on Electron IPC. Served by test/harness/
// as a file (the page's CSP allows only same-origin scripts); dev and test only, never packaged.
//
// Wire format: page → harness `{ id, request }`; harness → page `{ id, reply }` (one per request) and
// `{ state }` (the state stream). The socket presents the token the harness put in the page URL.
(() => {
  'use strict';
  const token = new URLSearchParams(location.search).get('token') || '';
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/__harness/ws?token=${encodeURIComponent(token)}`;
  const listeners = new Set();
  const pending = new Map();
  const queue = [];
  let nextId = 1;
  let socket = null;

  const fail = (message) => ({ ok: false, error: { code: 'failed', message } });

  function connect() {
    const ws = new WebSocket(url);
    socket = ws;
    ws.addEventListener('open', () => {
      for (const text of queue.splice(0)) ws.send(text);
    });
    ws.addEventListener('message', (event) => {
      let message;
      try {
        message = JSON.parse(String(event.data));
      } catch {
        return;
      }
      if (message && typeof message === 'object' && 'state' in message) {
        for (const listener of [...listeners]) listener(message.state);
      } else if (message && typeof message.id === 'number' && pending.has(message.id)) {
        const resolve = pending.get(message.id);
        pending.delete(message.id);
        resolve(message.reply);
      }
    });
    ws.addEventListener('close', () => {
      for (const resolve of pending.values()) resolve(fail('The harness connection closed.'));
      pending.clear();
      socket = null;
      // The harness restarts between tests; reconnect after a moment (states arrive again on connect).
      setTimeout(connect, 500);
    });
  }

  function request(req) {
    return new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      const text = JSON.stringify({ id, request: req });
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(text);
      else queue.push(text);
    });
  }

  const bridge = {
    request,
    subscribe(listener) {
      listeners.add(listener);
      void request({ kind: 'query', query: { type: 'state' } }).then((reply) => {
        if (reply && reply.ok && reply.kind === 'state' && listeners.has(listener)) listener(reply.state);
      });
      return () => {
        listeners.delete(listener);
      };
    },
  };

  connect();
  Object.defineProperty(window, 'kiosk', { value: Object.freeze(bridge), writable: false, configurable: false, enumerable: true });
})();
