// The organiser's page of one contest (/organize/contests/{id}): state and transitions, marking
// scheme, judges, competitors, the settings of a draft and a final contest's results ceremony, each
// section in its own module, all through the JSON API.
import { readJson } from '../lib/dom.js';
import { initCeremony } from './ceremony.js';
import { initCompetitors } from './competitors.js';
import { initJudges } from './judges.js';
import { initLifecycle } from './lifecycle.js';
import { initScheme } from './scheme.js';
import { initSettings } from './settings.js';

const config = readJson('organize-config');
const text = readJson('organize-text');

initLifecycle(config, text);
const judges = initJudges(config, text);
initScheme(config, text, (scheme) => judges.setAspects(scheme));
initCompetitors(config, text);
initSettings(config, text);
initCeremony(config, text);
