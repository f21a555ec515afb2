/** The ssh tests' hosts: namespaces running sshd (bench/ssh-hosts.ts, shared with the ssh benchmark). */
export { sshHosts, type SshHostsFixture } from '../../../bench/ssh-hosts.js';
