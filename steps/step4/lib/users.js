// Our one user. We keep a salted hash of the password, never the password:
// anyone who reads this file (or a database dump) still cannot log in.
// It was made with lib/password.js's hashPassword('lovelace'), in this folder:
// node -e "import('./lib/password.js').then(async m => console.log(await m.hashPassword('lovelace')))"
// A Map, not an object: a name like "constructor" finds nobody.
export const users = new Map([
  ['ada', { name: 'ada', passwordHash: 'scrypt:+pXGBxL+bo+aEYJHg9uHFA==:GP5YcjBLMQI+IRsaooKuU2EL9fBotryhnyCyZvN1A+E=' }],
]);
