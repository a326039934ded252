import { clusterAddressProblem } from './cluster-address';

describe('clusterAddressProblem', () => {
  it.each(['10.0.0.1:8443', '[::1]:8443', '[fd42:1::5]:1', 'node-1.example.com:65535', 'localhost:443', 'host.:8443'])('accepts %s', (address) => {
    expect(clusterAddressProblem(address)).toBeUndefined();
  });

  it.each([
    ['10.0.0.1', 'expected host:port'],
    [':8443', 'the host is missing, expected host:port'],
    ['::1:8443', 'an IPv6 address must be written in brackets, as [address]:port'],
    ['[10.0.0.1]:8443', '"10.0.0.1" in brackets is not an IPv6 address'],
    ['10.0.0.256:8443', '"10.0.0.256" is neither an IP address nor a host name'],
    ['under_score:8443', '"under_score" is neither an IP address nor a host name'],
    ['-lead.example:8443', '"-lead.example" is neither an IP address nor a host name'],
    ['10.0.0.1:0', 'the port "0" is not a number from 1 to 65535'],
    ['10.0.0.1:65536', 'the port "65536" is not a number from 1 to 65535'],
    ['10.0.0.1:84x3', 'the port "84x3" is not a number from 1 to 65535'],
    ['10.0.0.1:', 'the port "" is not a number from 1 to 65535'],
  ])('refuses %s: %s', (address, problem) => {
    expect(clusterAddressProblem(address)).toBe(problem);
  });
});
