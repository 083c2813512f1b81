import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/**
 * Parses what a citizen typed (`0151 2345678`, `+49 151 …`, `0049 …`) into E.164
 * (`+4915123456789`), or null when it is no valid number. Provider ids without `+`
 * (WhatsApp's wa_id) must get their `+` before they come here, or the default country
 * would be prefixed a second time.
 */
export function normalisePhoneNumber(input: string, defaultCountry: string): string | null {
  const parsed = parsePhoneNumberFromString(input, defaultCountry.toUpperCase() as CountryCode);
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number;
}
