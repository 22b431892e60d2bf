// access.mjs - the pages behind the ALTCHA proof of work (/acces,
// /mot-de-passe-oublie): the widget, with its French strings registered first.
import './altcha-fr-fr.js';
import './altcha.js';
