import { API } from '../fixtures.ts'
import type { Cell } from './matrix.ts'

/** The notify-config cells (E1/E2): not part of the id matrix, since there is no id to aim at. */

// E1/E2 notify config has no ids to aim at: each partner must only ever see its own.

export const notifyCells: Cell[] = [
  {
    name: 'B reads (it never set one)',
    why: "a partner's notify config is its own; B must not be shown A's",
    req: () => ({ as: 'B', method: 'GET', path: `${API}/notify-configs` }),
    expect: { deny: ['NOTIFY_CONFIG_NOT_FOUND'] },
  },
  {
    name: 'C reads',
    why: 'a partner sharing A’s brand still has its own notify config',
    req: () => ({ as: 'C', method: 'GET', path: `${API}/notify-configs` }),
    expect: { own: (x, r) => (r.json.notify_url === x.notifyUrl.C ? [] : ['not C’s notify_url']) },
  },
  {
    name: 'C sets its own',
    why: 'setting one’s own notify config must leave A’s alone (checked by the snapshot)',
    req: (x) => ({
      as: 'C',
      method: 'POST',
      path: `${API}/notify-configs`,
      body: { notify_url: x.notifyUrl.C },
    }),
    expect: { own: (x, r) => (r.json.notify_url === x.notifyUrl.C ? [] : ['not C’s notify_url']) },
  },
]
