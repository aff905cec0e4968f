import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { KioskBridge } from '../../common/contract';
import { App } from './App';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('TAP Kiosk: #root element missing from index.html');

/**
 * `window.kiosk` comes from the preload (Electron) or the harness shim (browser). Only in a Vite dev server
 * without either, the fake bridge with canned snapshots is loaded (`?screen=handover`); `import.meta.env.DEV`
 * is false in a build, so the import below and everything it pulls in are dropped from the bundle.
 */
async function findBridge(): Promise<KioskBridge | null> {
  if (window.kiosk) return window.kiosk;
  if (import.meta.env.DEV) {
    const { createFakeKiosk } = await import('./dev/fake-kiosk');
    return createFakeKiosk(new URLSearchParams(location.search));
  }
  // A harness shim may still be connecting: wait a little for it.
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    if (window.kiosk) return window.kiosk;
  }
  return null;
}

void findBridge().then((bridge) => {
  if (!bridge) {
    const main = document.createElement('main');
    const h1 = document.createElement('h1');
    h1.textContent = 'TAP Kiosk cannot reach the station service (no window.kiosk).';
    main.append(h1);
    root.append(main);
    return;
  }
  createRoot(root).render(
    <StrictMode>
      <App bridge={bridge} />
    </StrictMode>,
  );
});
