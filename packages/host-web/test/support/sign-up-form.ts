/** One valid sign-up, as the form and the JSON API take it: the integration tests' common case. */
export const SIGN_UP_FORM = Object.freeze({
  firstName: 'Grace',
  lastName: 'Hopper',
  emailAddress: 'grace@example.com',
  companyName: 'Navy',
  countryCode: 'USA',
  roleCode: 'EN',
});
