import { CardInput, DomainError } from '@payments/domain';

/** The card form's fields: what the hosted page posts, form-encoded. */
export type CardField = 'card_number' | 'card_exp' | 'card_cvc';

export interface CardFieldError {
  field: CardField;
  /** Said to the customer, next to the field and in the error summary. */
  message: string;
}

export type CardFormResult = { card: CardInput; exp: string } | { errors: CardFieldError[]; exp: string };

const EXPIRY = /^(\d{1,2})\s*\/?\s*(\d{2}|\d{4})$/;

function text(body: unknown, field: CardField): string {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[field] : undefined;
  return typeof value === 'string' ? value.trim() : '';
}

/**
 * Reads the posted form. Only what a person can get wrong before the card reaches the service's
 * own checks (summariseCard: Luhn, expiry in the past, network) is answered here: a field left
 * empty, an expiry not written as a month and a year. Card numbers may be grouped by spaces or
 * dashes as printed.
 */
export function readCardForm(body: unknown): CardFormResult {
  const number = text(body, 'card_number').replace(/[\s-]+/g, '');
  const exp = text(body, 'card_exp');
  const cvc = text(body, 'card_cvc');
  const errors: CardFieldError[] = [];
  if (number === '') errors.push({ field: 'card_number', message: 'Enter the card number' });
  else if (!/^\d+$/.test(number)) errors.push({ field: 'card_number', message: 'Enter the card number using digits only' });
  const expiry = EXPIRY.exec(exp);
  if (exp === '') errors.push({ field: 'card_exp', message: 'Enter the expiry date' });
  else if (!expiry || Number(expiry[1]) < 1 || Number(expiry[1]) > 12) errors.push({ field: 'card_exp', message: 'Enter the expiry date as a month and year, like 04/29' });
  if (cvc === '') errors.push({ field: 'card_cvc', message: 'Enter the security code' });
  else if (!/^\d{3,4}$/.test(cvc)) errors.push({ field: 'card_cvc', message: 'Enter the 3 or 4 digit security code' });
  if (errors.length > 0 || !expiry) return { errors, exp };
  return { card: { number, exp_month: Number(expiry[1]), exp_year: Number(expiry[2]), cvc }, exp };
}

const UNKNOWN_NETWORK = 'This card number is not one we accept: check it or use another card';

function numberMessage(message: string): string {
  if (message.includes('Luhn')) return 'Check the card number: it is not a valid card number';
  if (message.includes('network')) return UNKNOWN_NETWORK;
  return 'Enter a card number of 12 to 19 digits';
}

/** The card checks' refusal (summariseCard's field paths) in the customer's words, one per field. */
export function cardErrorsOf(error: DomainError): CardFieldError[] {
  const errors = new Map<CardField, string>();
  for (const { field, message } of error.errors) {
    if (field.endsWith('.number')) errors.set('card_number', numberMessage(message));
    else if (field.endsWith('.exp_month') || field.endsWith('.exp_year')) errors.set('card_exp', message.includes('expired') ? 'This card has expired: use another card' : 'Enter a valid expiry date');
    else if (field.endsWith('.cvc')) errors.set('card_cvc', 'Enter the 3 or 4 digit security code');
    else errors.set('card_number', UNKNOWN_NETWORK);
  }
  return [...errors].map(([field, message]) => ({ field, message }));
}
