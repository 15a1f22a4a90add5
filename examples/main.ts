/**
 * The example app that `npm run synth` synthesizes into dist/: a CI deployer that may patch
 * two named Deployments, a read-only dashboard, a metrics exporter whose token rotates itself
 * in the cluster, and a backup job whose risky grant (reading
 * one named Secret) is acknowledged with a reason.
 */
import { App } from 'cdk8s';
import { buildExampleApp } from './app.js';

const app = new App();
buildExampleApp(app);
app.synth();
