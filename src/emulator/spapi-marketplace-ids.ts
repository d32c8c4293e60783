/** SP-API marketplace ids by store domain (reference §3.1); the emulator keeps its own copy. */
export const SPAPI_MARKETPLACE_IDS: Readonly<Record<string, string>> = Object.freeze({
  'www.amazon.ca': 'A2EUQ1WTGCTBG2',
  'www.amazon.com': 'ATVPDKIKX0DER',
  'www.amazon.com.mx': 'A1AM78C64UM0Y8',
  'www.amazon.com.br': 'A2Q3Y263D00KWC',
  'www.amazon.ie': 'A28R8C7NBKEWEA',
  'www.amazon.es': 'A1RKKUPIHCS9HS',
  'www.amazon.co.uk': 'A1F83G8C2ARO7P',
  'www.amazon.fr': 'A13V1IB3VIYZZH',
  'www.amazon.com.be': 'AMEN7PMS3EDWL',
  'www.amazon.nl': 'A1805IZSGTT6HS',
  'www.amazon.de': 'A1PA6795UKMFR9',
  'www.amazon.it': 'APJ6JRA9NG5V4',
  'www.amazon.se': 'A2NODRKZP88ZB9',
  'www.amazon.pl': 'A1C3SOZRARQ6R3',
  'www.amazon.eg': 'ARBP9OOSHTCHU',
  'www.amazon.com.tr': 'A33AVAJ2PDY3EV',
  'www.amazon.sa': 'A17E79C6D8DWNP',
  'www.amazon.ae': 'A2VIGQ35RCS4UG',
  'www.amazon.in': 'A21TJRUUN4KGV',
  'www.amazon.sg': 'A19VAU5U5O7RUS',
  'www.amazon.com.au': 'A39IBJ37TRP1C6',
  'www.amazon.co.jp': 'A1VC38T7YXB528',
});

export function domainOfMarketplaceId(id: string): string | undefined {
  return Object.entries(SPAPI_MARKETPLACE_IDS).find(([, v]) => v === id)?.[0];
}
