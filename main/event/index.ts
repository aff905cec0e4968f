// Event mode: many stations, one roster, Graph as the shared truth. See README.md.
export { EventCoordinator, type EventCoordinatorOptions, type EventDirectory, type ClaimResult, type ReleaseReason } from './coordinator';
export { EventMode, EventModeOff, type EventModeOptions } from './mode';
export { boardOf } from './board';
export { EVENT_PERMISSION, eventModeAvailability } from './permission';
