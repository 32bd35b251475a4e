/**
 * The demo's data and model: the UCI digits (a resource, with its origin) and a small CNN with trained
 * weights. Used by {@code qcheckpoint demo} and the tests; not needed by a service.
 */
package io.qcheckpoint.demo;
