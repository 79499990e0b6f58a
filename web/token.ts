import { byId } from './dom.js';

const KEY = 'usewatch.token';

/**
 * The token, typed once into the page and kept for the tab in sessionStorage (gone when the tab
 * closes; never in localStorage, a cookie or the URL). The input is not in a form, so nothing can
 * submit it as a query string.
 */
export class TokenStore {
  get(): string | undefined {
    return sessionStorage.getItem(KEY) ?? undefined;
  }

  set(token: string): void {
    sessionStorage.setItem(KEY, token);
  }

  forget(): void {
    sessionStorage.removeItem(KEY);
  }
}

/** The token prompt: shown when the agent refuses the feed; `onToken` gets what the viewer typed. */
export class TokenPrompt {
  private readonly box = byId('token');
  private readonly input = byId<HTMLInputElement>('token-input');
  private readonly why = byId('token-why');

  constructor(onToken: (token: string) => void) {
    const submit = () => {
      const token = this.input.value.trim();
      if (token === '') return;
      this.input.value = '';
      this.box.hidden = true;
      onToken(token);
    };
    byId('token-connect').addEventListener('click', submit);
    this.input.addEventListener('keydown', (e) => {
      e.stopPropagation();
      if (e.key === 'Enter') submit();
    });
  }

  show(why: string): void {
    this.why.textContent = why;
    this.box.hidden = false;
    this.input.focus();
  }

  get open(): boolean {
    return !this.box.hidden;
  }
}
