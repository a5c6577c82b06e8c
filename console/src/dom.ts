/** Small DOM helpers: typed lookups and element creation. */

/** The element with this id; throws when the page lacks it (a build mistake, not a user error). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`The page has no #${id}`);
  return element as T;
}

/** Creates an element with text and attributes. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text = '',
  attributes: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (text) element.textContent = text;
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

/** A button with a visible label and, when the label alone is ambiguous, an accessible one. */
export function button(label: string, onClick: () => void, accessibleLabel?: string): HTMLButtonElement {
  const element = el('button', label, { type: 'button', ...(accessibleLabel ? { 'aria-label': accessibleLabel } : {}) });
  element.addEventListener('click', onClick);
  return element;
}

/** `1.2 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
