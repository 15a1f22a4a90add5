import { App, Chart } from 'cdk8s';
import { ApiResource } from 'cdk8s-plus-27';
import { Permission, ServiceAccountAccess } from 'cdk8s-access-tokens';

const app = new App();
const chart = new Chart(app, 'ci', { namespace: 'shop' });
const deployer = new ServiceAccountAccess(chart, 'deployer', {
  permissions: [
    Permission.read(ApiResource.PODS),
    Permission.verbs(['get', 'patch'], 'deployments.apps', 'web', 'worker'),
  ],
});
console.log(deployer.canI('patch', 'deployments.apps', { name: 'web' })); // true
console.log(deployer.canI('delete', 'pods')); // false
app.synth();
