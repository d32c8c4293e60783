import { signal } from '@preact/signals';

const STORED = 'code2asin.theme';
type Theme = 'light' | 'dark';

function initialTheme(): Theme {
  const stored = localStorage.getItem(STORED);
  if (stored === 'light' || stored === 'dark') return stored;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Light or dark: from the system, switchable. */
export const theme = signal<Theme>(initialTheme());
document.documentElement.dataset.theme = theme.value;

export function toggleTheme(): void {
  theme.value = theme.value === 'dark' ? 'light' : 'dark';
  document.documentElement.dataset.theme = theme.value;
  localStorage.setItem(STORED, theme.value);
}
