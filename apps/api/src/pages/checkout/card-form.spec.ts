import { invalid } from '@payments/domain';
import { cardErrorsOf, readCardForm } from './card-form';

describe('readCardForm', () => {
  it('reads a card grouped as printed, with the expiry as MM/YY', () => {
    expect(readCardForm({ card_number: '4242 4242-4242 4242', card_exp: '04 / 29', card_cvc: '123' })).toEqual({
      card: { number: '4242424242424242', exp_month: 4, exp_year: 29, cvc: '123' },
      exp: '04 / 29',
    });
    expect(readCardForm({ card_number: '4242424242424242', card_exp: '1230', card_cvc: '1234' })).toMatchObject({ card: { exp_month: 12, exp_year: 30 } });
    expect(readCardForm({ card_number: '4242424242424242', card_exp: '12/2031', card_cvc: '1234' })).toMatchObject({ card: { exp_month: 12, exp_year: 2031 } });
  });

  it('names every field left empty, and gives back only the expiry', () => {
    expect(readCardForm({})).toEqual({
      errors: [
        { field: 'card_number', message: 'Enter the card number' },
        { field: 'card_exp', message: 'Enter the expiry date' },
        { field: 'card_cvc', message: 'Enter the security code' },
      ],
      exp: '',
    });
    const result = readCardForm({ card_number: '4242424242424242', card_exp: '13/29', card_cvc: '12' });
    expect(result).toEqual({
      errors: [
        { field: 'card_exp', message: 'Enter the expiry date as a month and year, like 04/29' },
        { field: 'card_cvc', message: 'Enter the 3 or 4 digit security code' },
      ],
      exp: '13/29',
    });
    expect(JSON.stringify(result)).not.toContain('4242');
  });

  it('refuses letters in the card number without repeating it', () => {
    const result = readCardForm({ card_number: '4242x4242424242', card_exp: '04/29', card_cvc: '123' });
    expect(result).toEqual({ errors: [{ field: 'card_number', message: 'Enter the card number using digits only' }], exp: '04/29' });
  });

  it('takes a field sent twice as missing rather than joining the values', () => {
    expect(readCardForm({ card_number: ['4242424242424242', '1'], card_exp: '04/29', card_cvc: '123' })).toMatchObject({ errors: [{ field: 'card_number' }] });
  });
});

describe('cardErrorsOf', () => {
  it("says the card checks' refusals in the customer's words, one per field", () => {
    const refusal = invalid('the card is not valid', [
      { field: 'payment_method.card.number', message: 'is not a valid card number (Luhn check failed)' },
      { field: 'payment_method.card.exp_year', message: 'the card has expired' },
    ]);
    expect(cardErrorsOf(refusal)).toEqual([
      { field: 'card_number', message: 'Check the card number: it is not a valid card number' },
      { field: 'card_exp', message: 'This card has expired: use another card' },
    ]);
  });
});
