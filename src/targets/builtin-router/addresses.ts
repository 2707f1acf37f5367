/**
 * Where the reference router answers, apart from the servers themselves: the scenario and
 * the run need these names for every run, the router's code only for a built-in target
 * (importing the NATS responder for a name loaded the NATS client into every HTTP run).
 */
export const DECIDE_PATH = '/api/v1/routes/decide';
export const DECIDE_SUBJECT = 'beamline.router.v1.decide';
