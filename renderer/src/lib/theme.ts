import { webLightTheme, type Theme } from '@fluentui/react-components';

/**
 * Fluent's light theme at desk distance: nothing smaller than 16 px (Fluent's captions, hints, labels and buttons are
 * 10-14 px). The person's side sets 18 px itself (styles.css, `.user-side`). Checked on every screen by the e2e size
 * check (test/e2e/support/sizes.ts).
 */
export const deskTheme: Theme = {
  ...webLightTheme,
  fontSizeBase100: '16px',
  fontSizeBase200: '16px',
  fontSizeBase300: '16px',
  lineHeightBase100: '22px',
  lineHeightBase200: '22px',
  lineHeightBase300: '22px',
};
