// The project's place on the BPMN model: <llmops-bpmn-diagram src="...bpmn">.
// Built by `make bpmn-assets` (esbuild) into static/bpmn/diagram.js and diagram.css.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import './diagram.css';

const STATE_NS = 'urn:llmops-governance:bpmn:state';

// Done and active node ids from the export's extension (what the file says, not the page).
function readState(xml) {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const nodes = Array.from(doc.getElementsByTagNameNS(STATE_NS, 'node'));
  return nodes.map((node) => ({ id: node.getAttribute('ref'), state: node.getAttribute('state') }));
}

function visit(url) {
  if (window.Turbo) {
    window.Turbo.visit(url);
  } else {
    window.location.assign(url);
  }
}

class BpmnDiagram extends HTMLElement {
  async connectedCallback() {
    if (this.viewer) {
      return;
    }
    // Tasks this user may open: <a hidden data-node="id" href="task url"> inside the element.
    const links = {};
    this.querySelectorAll('a[data-node]').forEach((a) => {
      links[a.dataset.node] = a.getAttribute('href');
    });
    const canvasElement = document.createElement('div');
    canvasElement.className = 'notation-diagram__canvas';
    this.appendChild(canvasElement);
    this.viewer = new NavigatedViewer({ container: canvasElement });
    try {
      const response = await fetch(this.getAttribute('src'), { credentials: 'same-origin' });
      if (!response.ok) {
        throw new Error(`${response.status} ${response.statusText}`);
      }
      const xml = await response.text();
      const { warnings } = await this.viewer.importXML(xml);
      const active = this.mark(readState(xml), links);
      this.frame(active);
      this.dataset.warnings = String(warnings.length);
      this.dataset.state = 'ready';
    } catch (error) {
      this.dataset.state = 'error';
      this.dataset.error = String(error);
      canvasElement.textContent = `The diagram could not be shown: ${error.message}`;
    }
  }

  mark(states, links) {
    const canvas = this.viewer.get('canvas');
    const registry = this.viewer.get('elementRegistry');
    const active = new Set();
    states.forEach(({ id, state }) => {
      if (!registry.get(id)) {
        return;
      }
      canvas.addMarker(id, state === 'active' ? 'notation-active' : 'notation-done');
      if (state === 'active') {
        active.add(id);
        if (links[id]) {
          canvas.addMarker(id, 'notation-clickable');
          registry.getGraphics(id).setAttribute('data-href', links[id]);
        }
      }
    });
    this.dataset.active = Array.from(active).join(' ');
    this.viewer.get('eventBus').on('element.click', ({ element }) => {
      if (active.has(element.id) && links[element.id]) {
        visit(links[element.id]);
      }
    });
    return Array.from(active);
  }

  // Both lanes from top to bottom, centred on the first active node: the whole
  // life cycle is too wide to read at once; drag and scroll to see the rest.
  frame(active) {
    const canvas = this.viewer.get('canvas');
    const { outer, inner } = canvas.viewbox();
    const scale = Math.min(1, outer.height / (inner.height + 40));
    const width = outer.width / scale;
    const height = outer.height / scale;
    const focus = active.length ? this.viewer.get('elementRegistry').get(active[0]) : null;
    const cx = focus ? focus.x + focus.width / 2 : inner.x + width / 2;
    const x = Math.max(inner.x - 20, Math.min(cx - width / 2, inner.x + inner.width + 20 - width));
    canvas.viewbox({ x, y: inner.y - 20, width, height });
  }

  disconnectedCallback() {
    if (this.viewer) {
      this.viewer.destroy();
      this.viewer = null;
    }
  }
}

if (!customElements.get('llmops-bpmn-diagram')) {
  customElements.define('llmops-bpmn-diagram', BpmnDiagram);
}
