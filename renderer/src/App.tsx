// The renderer is a pure view of the session snapshot pushed from main (see ../shared/DESIGN.md).
// Screens arrive with the kiosk issue; until then the station says plainly that it is starting.
export function App() {
  return (
    <main>
      <h1>TAP Kiosk</h1>
      <p>The station is starting.</p>
    </main>
  );
}
