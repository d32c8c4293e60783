import { locale, t } from '../../i18n/i18n.js';

/** The stores the API knows (domain, ISO region), in the server's order. */
const MARKETPLACES: [string, string][] = [
  ['www.amazon.fr', 'FR'],
  ['www.amazon.de', 'DE'],
  ['www.amazon.it', 'IT'],
  ['www.amazon.es', 'ES'],
  ['www.amazon.co.uk', 'GB'],
  ['www.amazon.nl', 'NL'],
  ['www.amazon.com.be', 'BE'],
  ['www.amazon.ie', 'IE'],
  ['www.amazon.pl', 'PL'],
  ['www.amazon.se', 'SE'],
  ['www.amazon.com.tr', 'TR'],
  ['www.amazon.com', 'US'],
  ['www.amazon.ca', 'CA'],
  ['www.amazon.com.mx', 'MX'],
  ['www.amazon.com.br', 'BR'],
  ['www.amazon.co.jp', 'JP'],
  ['www.amazon.com.au', 'AU'],
  ['www.amazon.sg', 'SG'],
  ['www.amazon.in', 'IN'],
  ['www.amazon.ae', 'AE'],
  ['www.amazon.sa', 'SA'],
  ['www.amazon.eg', 'EG'],
];

/** Several marketplaces as checkboxes, each named in the UI's language. */
export function MarketplacePicker(props: {
  value: string[];
  disabled?: boolean;
  onChange: (next: string[]) => void;
}) {
  const names = new Intl.DisplayNames([locale.value], { type: 'region' });
  const toggle = (domain: string, on: boolean) =>
    props.onChange(on ? [...props.value, domain] : props.value.filter((d) => d !== domain));
  return (
    <fieldset class="marketplaces">
      <legend>{t('newJob.marketplaces')}</legend>
      {MARKETPLACES.map(([domain, region]) => (
        <label key={domain}>
          <input
            type="checkbox"
            checked={props.value.includes(domain)}
            disabled={props.disabled}
            onChange={(e) => toggle(domain, e.currentTarget.checked)}
          />{' '}
          {names.of(region)} <span class="muted">{domain.replace('www.', '')}</span>
        </label>
      ))}
    </fieldset>
  );
}
