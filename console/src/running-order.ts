/**
 * The running order (the show's run-of-show) in the console: its items in order, the one on air and the one
 * NEXT plays, each with its follow-on switch (auto-advance), a cue button, an edit form for its fades (in, out,
 * crossfade) and note, and moves by drag or by its up and down buttons (keyboard). Every edit names the version
 * it was made on (contract/run-of-show.ts): an edit form, the version the list had when the host opened it, so a
 * change made elsewhere meanwhile is not overwritten. An edit refused with 409 CONFLICT (another tab changed the list
 * first) reads the list again and says so.
 */
import { ApiError, type ApiClient } from '#contract/api-client';
import { MAX_FADE_SECONDS } from '#contract/decks';
import { MAX_RUN_OF_SHOW_NOTE_LENGTH, type RunOfShowEditBody, type RunOfShowItem, type RunOfShowItemInput, type RunOfShowView } from '#contract/run-of-show';
import type { FadeSettings } from './desk.ts';
import { button, el } from './dom.ts';

/** `MOVE` one step up or down; undefined at the list's end. */
export function moveBy(view: RunOfShowView, itemId: string, step: -1 | 1): RunOfShowEditBody | undefined {
  const at = view.items.findIndex((item) => item.itemId === itemId);
  const to = at + step;
  if (at < 0 || to < 0 || to >= view.items.length) return undefined;
  return { op: 'MOVE', version: view.version, itemId, toIndex: to };
}

/** How an item plays, in a few words. */
export function describeItem(item: RunOfShowItem): string {
  const parts: string[] = [];
  if (item.deck !== 'program') parts.push(`on the ${item.deck}`);
  if (item.fadeInSeconds > 0) parts.push(`fade in ${item.fadeInSeconds} s`);
  if (item.fadeOutSeconds > 0) parts.push(`fade out ${item.fadeOutSeconds} s`);
  if (item.crossfadeSeconds > 0) parts.push(`crossfade ${item.crossfadeSeconds} s`);
  return parts.join(', ');
}

/** The item ADD puts in for a track: the desk's fades (each only when set). */
export function newItem(trackId: string, fades: FadeSettings): RunOfShowItemInput {
  return {
    trackId,
    ...(fades.fadeInSeconds > 0 ? { fadeInSeconds: fades.fadeInSeconds } : {}),
    ...(fades.fadeOutSeconds > 0 ? { fadeOutSeconds: fades.fadeOutSeconds } : {}),
    ...(fades.crossfadeSeconds > 0 ? { crossfadeSeconds: fades.crossfadeSeconds } : {}),
  };
}

/** What an UPDATE may change of an item. */
export type RunOfShowItemChanges = Extract<RunOfShowEditBody, { op: 'UPDATE' }>['changes'];

/** An item's fades and note as the edit form holds them (the inputs' text). */
export interface ItemFormValues {
  fadeInSeconds: string;
  fadeOutSeconds: string;
  crossfadeSeconds: string;
  note: string;
}

/** The form's values for an item as it is. */
export function formValuesOf(item: RunOfShowItem): ItemFormValues {
  return {
    fadeInSeconds: String(item.fadeInSeconds),
    fadeOutSeconds: String(item.fadeOutSeconds),
    crossfadeSeconds: String(item.crossfadeSeconds),
    note: item.note ?? '',
  };
}

/**
 * The changes an edit form makes to an item: only the fields that differ from it (an empty number is 0, an
 * empty note removes it); undefined when nothing differs. A number the API does not take is sent as it is,
 * and the API's 400 names the field.
 */
export function itemChanges(item: RunOfShowItem, typed: ItemFormValues): RunOfShowItemChanges | undefined {
  const seconds = (text: string) => (text.trim() === '' ? 0 : Number(text));
  const changes: Record<string, unknown> = {};
  const fadeIn = seconds(typed.fadeInSeconds);
  if (fadeIn !== item.fadeInSeconds) changes.fadeInSeconds = fadeIn;
  const fadeOut = seconds(typed.fadeOutSeconds);
  if (fadeOut !== item.fadeOutSeconds) changes.fadeOutSeconds = fadeOut;
  const crossfade = seconds(typed.crossfadeSeconds);
  if (crossfade !== item.crossfadeSeconds) changes.crossfadeSeconds = crossfade;
  if (typed.note.trim() !== (item.note ?? '')) changes.note = typed.note.trim();
  return Object.keys(changes).length > 0 ? (changes as RunOfShowItemChanges) : undefined;
}

/** An edit form open on an item: the version and the item as the host saw them when opening it, and what is typed. */
interface OpenEdit {
  itemId: string;
  version: number;
  item: RunOfShowItem;
  values: ItemFormValues;
}

/** The page's hooks for the running order. */
export interface RunningOrderHooks {
  /** Listens to an item's track in the console (the cue). */
  cue: (trackId: string) => void;
  /** Shows a failure of an action. */
  onError: (error: unknown) => void;
}

/** What the host is told when an edit lost to another one. */
export const CONFLICT_MESSAGE = 'The running order was changed elsewhere (another tab?) before your change: it has been read again. Make your change again.';

/** The running order of one show, drawn into a list element. */
export class RunningOrder {
  private view: RunOfShowView | undefined;
  private drawn = '';
  private dragged: string | undefined;
  private editing: OpenEdit | undefined;

  constructor(
    private readonly api: ApiClient,
    readonly sessionId: string,
    private readonly list: HTMLOListElement,
    private readonly hooks: RunningOrderHooks,
  ) {}

  get current(): RunOfShowView | undefined {
    return this.view;
  }

  /** Reads the run-of-show and draws it when it changed. */
  async refresh(): Promise<void> {
    this.show(await this.api.call('getRunOfShow', { params: { sessionId: this.sessionId } }));
  }

  /** Makes one edit on the version shown; on 409 CONFLICT reads the list again and fails with CONFLICT_MESSAGE. */
  async edit(body: RunOfShowEditBody): Promise<void> {
    try {
      this.show(await this.api.call('editRunOfShow', { params: { sessionId: this.sessionId }, body }));
    } catch (error) {
      if (error instanceof ApiError && error.code === 'CONFLICT') {
        await this.refresh();
        throw new ApiError(409, 'CONFLICT', CONFLICT_MESSAGE);
      }
      throw error;
    }
  }

  /** Adds a track at the end, with the desk's fades. */
  async add(trackId: string, fades: FadeSettings): Promise<void> {
    if (!this.view) await this.refresh();
    const version = this.view?.version ?? 0;
    await this.edit({ op: 'ADD', version, item: newItem(trackId, fades) });
  }

  private run(edit: () => Promise<void>): void {
    edit().catch(this.hooks.onError);
  }

  private show(view: RunOfShowView, force = false): void {
    this.view = view;
    const key = JSON.stringify(view);
    if (key === this.drawn && !force) return;
    this.drawn = key;
    // An open edit form stays open, with what the host typed, when the list is drawn again (unless its item went).
    if (this.editing) {
      const form = this.list.querySelector<HTMLFormElement>('form.item-edit');
      if (form) this.editing.values = readForm(form);
      if (!view.items.some((item) => item.itemId === this.editing?.itemId)) this.editing = undefined;
    }
    // Keep the keyboard where it was: the same control of the same item, after the list is drawn again.
    const focused = document.activeElement instanceof HTMLElement && this.list.contains(document.activeElement) ? document.activeElement : undefined;
    const focusKey = focused ? { itemId: focused.closest('li')?.dataset.itemId, action: focused.dataset.action } : undefined;
    this.list.dataset.version = String(view.version);
    if (view.items.length === 0) {
      this.list.replaceChildren(el('li', 'Nothing in the running order yet: add tracks with “Add to running order” in your tracks.', { class: 'empty' }));
      return;
    }
    this.list.replaceChildren(...view.items.map((item, index) => this.itemRow(view, item, index)));
    if (focusKey?.itemId) {
      const again = this.list.querySelector<HTMLElement>(`li[data-item-id="${focusKey.itemId}"] [data-action="${focusKey.action ?? ''}"]`);
      (again && !(again as HTMLButtonElement).disabled ? again : this.list.querySelector<HTMLElement>(`li[data-item-id="${focusKey.itemId}"]`))?.focus();
    }
  }

  private itemRow(view: RunOfShowView, item: RunOfShowItem, index: number): HTMLLIElement {
    const row = el('li', '', { 'data-item-id': item.itemId, 'data-track-id': item.trackId, draggable: 'true', tabindex: '-1' });
    const onAir = view.position?.itemId === item.itemId;
    const next = view.nextItemId === item.itemId;
    row.classList.toggle('on-air', onAir);
    row.classList.toggle('next', next);
    const handle = el('span', '⠿', { class: 'handle', 'aria-hidden': 'true', title: 'Drag to move' });
    const label = el('span', `${index + 1}. ${item.title}`, { class: 'title' });
    const badges = el('span', onAir ? `ON AIR since ${new Date(view.position!.startedAt).toLocaleTimeString()}` : next ? 'NEXT' : '', { class: 'badge' });
    const details = el('span', [describeItem(item), item.note ? `“${item.note}”` : ''].filter(Boolean).join(' · '), { class: 'hint' });

    const follow = el('input', '', { type: 'checkbox', 'data-action': 'auto-advance', id: `follow-${item.itemId}` });
    follow.checked = item.autoAdvance;
    follow.addEventListener('change', () =>
      this.run(() => this.edit({ op: 'UPDATE', version: view.version, itemId: item.itemId, changes: { autoAdvance: follow.checked } })),
    );
    const followLabel = el('label', 'Follows on', { for: follow.id });

    const cue = button('Cue', () => this.hooks.cue(item.trackId), `Cue ${item.title}`);
    cue.dataset.action = 'cue';
    const up = button('↑', () => this.moveStep(item.itemId, -1), `Move ${item.title} up`);
    up.dataset.action = 'up';
    up.disabled = index === 0;
    const down = button('↓', () => this.moveStep(item.itemId, 1), `Move ${item.title} down`);
    down.dataset.action = 'down';
    down.disabled = index === view.items.length - 1;
    const remove = button('Remove', () => this.run(() => this.edit({ op: 'REMOVE', version: view.version, itemId: item.itemId })), `Remove ${item.title} from the running order`);
    remove.dataset.action = 'remove';
    const editing = this.editing?.itemId === item.itemId ? this.editing : undefined;
    const edit = button('Edit', () => this.openEdit(view, item), `Edit ${item.title}`);
    edit.dataset.action = 'edit';
    edit.disabled = editing !== undefined;

    const controls = el('span', '', { class: 'item-controls' });
    controls.append(follow, followLabel, cue, edit, up, down, remove);
    row.append(handle, label, badges, details, controls);
    if (editing) row.append(this.editForm(editing));

    row.addEventListener('dragstart', (event) => {
      this.dragged = item.itemId;
      event.dataTransfer?.setData('text/plain', item.itemId);
      if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
      row.classList.add('dragging');
    });
    row.addEventListener('dragend', () => {
      row.classList.remove('dragging');
      this.dragged = undefined;
    });
    row.addEventListener('dragover', (event) => {
      if (!this.dragged) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'move';
    });
    row.addEventListener('drop', (event) => {
      event.preventDefault();
      const itemId = this.dragged ?? event.dataTransfer?.getData('text/plain');
      this.dragged = undefined;
      const from = view.items.findIndex((i) => i.itemId === itemId);
      if (!itemId || from < 0 || itemId === item.itemId) return;
      // It takes the place of the item it was dropped on (which moves one toward where the dragged one was).
      this.run(() => this.edit({ op: 'MOVE', version: view.version, itemId, toIndex: index }));
    });
    return row;
  }

  /** Opens the edit form of an item, on the version shown. */
  private openEdit(view: RunOfShowView, item: RunOfShowItem): void {
    this.editing = { itemId: item.itemId, version: view.version, item, values: formValuesOf(item) };
    this.show(view, true);
    this.list.querySelector<HTMLElement>(`li[data-item-id="${item.itemId}"] [data-action="edit-fade-in"]`)?.focus();
  }

  private closeEdit(): void {
    this.editing = undefined;
    if (this.view) this.show(this.view, true);
  }

  /** The form of an open edit: fade in, fade out, crossfade and note, saved as one UPDATE on the version it was opened on. */
  private editForm(open: OpenEdit): HTMLFormElement {
    const { item } = open;
    const form = el('form', '', { class: 'item-edit', 'aria-label': `Edit ${item.title}` });
    const field = (action: string, text: string, value: string, attributes: Record<string, string>) => {
      const id = `${action}-${item.itemId}`;
      const input = el('input', '', { id, 'data-action': action, ...attributes });
      input.value = value;
      return [el('label', text, { for: id }), input];
    };
    const seconds = { type: 'number', min: '0', max: String(MAX_FADE_SECONDS), step: '0.5' };
    const save = el('button', 'Save', { type: 'submit', 'data-action': 'save', 'aria-label': `Save the changes to ${item.title}` });
    const cancel = button('Cancel', () => this.closeEdit(), `Cancel editing ${item.title}`);
    cancel.dataset.action = 'cancel';
    form.append(
      ...field('edit-fade-in', 'Fade in (s)', open.values.fadeInSeconds, seconds),
      ...field('edit-fade-out', 'Fade out (s)', open.values.fadeOutSeconds, seconds),
      ...field('edit-crossfade', 'Crossfade (s)', open.values.crossfadeSeconds, seconds),
      ...field('edit-note', 'Note', open.values.note, { maxlength: String(MAX_RUN_OF_SHOW_NOTE_LENGTH), size: '30' }),
      save,
      cancel,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.run(() => this.saveEdit(open, readForm(form)));
    });
    return form;
  }

  /** Saves an open edit; a conflict closes it (the list is read again), any other refusal leaves it open. */
  private async saveEdit(open: OpenEdit, typed: ItemFormValues): Promise<void> {
    open.values = typed;
    const changes = itemChanges(open.item, typed);
    if (!changes) return this.closeEdit();
    try {
      await this.edit({ op: 'UPDATE', version: open.version, itemId: open.itemId, changes });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'CONFLICT') this.closeEdit();
      throw error;
    }
    this.closeEdit();
  }

  private moveStep(itemId: string, step: -1 | 1): void {
    if (!this.view) return;
    const body = moveBy(this.view, itemId, step);
    if (body) this.run(() => this.edit(body));
  }
}

/** What an item's edit form holds now. */
function readForm(form: HTMLFormElement): ItemFormValues {
  const value = (action: string) => form.querySelector<HTMLInputElement>(`[data-action="${action}"]`)?.value ?? '';
  return { fadeInSeconds: value('edit-fade-in'), fadeOutSeconds: value('edit-fade-out'), crossfadeSeconds: value('edit-crossfade'), note: value('edit-note') };
}
