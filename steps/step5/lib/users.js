// Our users. We keep a salted hash of each password, never the password:
// anyone who reads this file (or a database dump) still cannot log in.
// Each was made with lib/password.js's hashPassword, in this folder:
// node -e "import('./lib/password.js').then(async m => console.log(await m.hashPassword('hopper')))"
// A Map, not an object: a name like "constructor" finds nobody.
export const users = new Map([
  ['ada', { name: 'ada', passwordHash: 'scrypt:+pXGBxL+bo+aEYJHg9uHFA==:GP5YcjBLMQI+IRsaooKuU2EL9fBotryhnyCyZvN1A+E=' }],
  ['grace', { name: 'grace', passwordHash: 'scrypt:K1hNELJx9cefCjfUWCeqYQ==:eMQpzBt3PcE4pl1/ujCKTi7dVMSBCTsu8LNIAC8Vopw=' }],
]);
