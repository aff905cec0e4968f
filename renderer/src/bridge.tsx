/** The renderer's one way to main: `window.kiosk`, wrapped for the screens (send a command, ask a query). */
import { createContext, useContext } from 'react';
import type { KioskBridge, KioskQuery, KioskReply, SessionCommand } from '../../common/contract';
import type { EventCommand } from '../../common/event';

export interface Commands {
  /** Send a session command; a refusal is shown by the shell (the next snapshot shows the rest). */
  send(command: SessionCommand): Promise<KioskReply>;
  query(query: KioskQuery): Promise<KioskReply>;
  /** Event mode's commands (release a stale claim, confirmed). */
  event(command: EventCommand): Promise<KioskReply>;
}

export function commandsFor(bridge: KioskBridge, onRefused: (reply: Extract<KioskReply, { ok: false }>) => void): Commands {
  const wrap = async (p: Promise<KioskReply>): Promise<KioskReply> => {
    let reply: KioskReply;
    try {
      reply = await p;
    } catch (error) {
      reply = { ok: false, error: { code: 'failed', message: error instanceof Error ? error.message : 'The station did not answer.' } };
    }
    if (!reply.ok) onRefused(reply);
    return reply;
  };
  return {
    send: (command) => wrap(bridge.request({ kind: 'command', command })),
    query: (query) => wrap(bridge.request({ kind: 'query', query })),
    event: (command) => wrap(bridge.request({ kind: 'event', command })),
  };
}

export const CommandsContext = createContext<Commands | null>(null);

export function useCommands(): Commands {
  const c = useContext(CommandsContext);
  if (!c) throw new Error('useCommands outside the kiosk shell');
  return c;
}
