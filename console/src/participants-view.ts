/**
 * The "On the stage" list of the console's pages: one row per participant with its name, whether it
 * publishes, and a level meter. Rows are kept and updated in place (the meters move many times a second).
 */
import { el } from './dom.ts';
import type { StageParticipantView } from './stage.ts';

/** The meter's scale: speech and programs sit well below full scale, so levels are shown three times larger. */
const METER_GAIN = 3;

/** Renders the participants into a list element, reusing the rows of those still there. */
export function renderParticipants(list: HTMLElement, participants: readonly StageParticipantView[]): void {
  const rows = new Map([...list.querySelectorAll<HTMLLIElement>('li[data-participant-id]')].map((li) => [li.dataset.participantId!, li]));
  const ordered = participants.map((p) => {
    const row = rows.get(p.participantId) ?? newRow(p.participantId);
    rows.delete(p.participantId);
    const label = `${p.name}${p.self ? ' (you)' : ''}${p.isPublishing ? '' : ' — not publishing'}`;
    const name = row.querySelector<HTMLSpanElement>('.participant-name')!;
    if (name.textContent !== label) name.textContent = label;
    const meter = row.querySelector<HTMLMeterElement>('meter')!;
    meter.value = Math.min(1, p.level * METER_GAIN);
    meter.setAttribute('aria-label', `Level of ${p.name}`);
    row.dataset.level = p.level.toFixed(4);
    row.dataset.role = p.role ?? '';
    return row;
  });
  for (const row of rows.values()) row.remove();
  ordered.forEach((row, i) => {
    if (list.children[i] !== row) list.insertBefore(row, list.children[i] ?? null);
  });
}

function newRow(participantId: string): HTMLLIElement {
  const row = el('li', '', { 'data-participant-id': participantId });
  row.append(el('span', '', { class: 'participant-name' }), el('meter', '', { min: '0', max: '1', low: '0.6', high: '0.9', optimum: '0.3' }));
  return row;
}
