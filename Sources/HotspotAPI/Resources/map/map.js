// The hotspot map: layers of the served run, legend, scores on click, partners, downloads; English, French, Spanish.
// Everything comes from this server's API (no CDN, no external base map).
(function () {
  'use strict';
  var params = new URLSearchParams(location.search);
  var embed = /\/embed\/?$/.test(location.pathname);
  var T = {
    en: {title: 'Soil Carbon Hotspots', skip: 'Skip to the map', layer: 'Layer', opacity: 'Opacity',
      theme: "Partners' theme", all_themes: 'All themes', language: 'Language', sources: 'sources', legend: 'Legend',
      download: 'Download the visible region (COG)', hint: 'Click the map (or press Enter on it) for the scores at a point.', error: 'Error',
      sequestration_score: 'Sequestration score', loss_score: 'Loss urgency score', hotspot_class: 'Hotspot classes',
      map: 'Map of soil carbon hotspots', point: 'Point', outside: 'Outside the mapped area.', nodata: 'No data here (sea, ice or missing input).',
      rate: 'Sequestration rate', loss: 'Expected loss', score: 'score', klass: 'Class', landcover: 'Land cover',
      why: 'Why', website: 'Website', themes: 'Themes', neighbours: 'Neighbours within 500 km', none: 'none',
      loading: 'Loading…', partners: 'partners', synthetic: 'Synthetic demo data, not real measurements.',
      too_large: 'Zoom in: the visible region is too large to download.', land: 'Land (demo mask)',
      outlines: 'Hotspot outlines', region: 'Region', area: 'Area', mean: 'mean',
      contact: 'Contact', contact_to: 'Write to', your_name: 'Your name', your_email: 'Your e-mail', organisation: 'Organisation (optional)',
      message: 'Message', send: 'Send', sent_confirm: 'Almost done: open the link we sent to your e-mail to send the message.',
      sent_queued: 'Your message is on its way.', too_many: 'Too many messages for now; try again in', minutes: 'minutes',
      privacy: 'The partner’s address is not shown to you; yours goes to them so they can answer.'},
    fr: {title: 'Points chauds du carbone des sols', skip: 'Aller à la carte', layer: 'Couche', opacity: 'Opacité',
      theme: 'Thème des partenaires', all_themes: 'Tous les thèmes', language: 'Langue', sources: 'sources', legend: 'Légende',
      download: 'Télécharger la région visible (COG)', hint: 'Cliquez sur la carte (ou appuyez sur Entrée) pour les scores d’un point.', error: 'Erreur',
      sequestration_score: 'Score de séquestration', loss_score: 'Score d’urgence de perte', hotspot_class: 'Classes de points chauds',
      map: 'Carte des points chauds du carbone des sols', point: 'Point', outside: 'Hors de la zone cartographiée.',
      nodata: 'Pas de données ici (mer, glace ou donnée manquante).', rate: 'Taux de séquestration', loss: 'Perte attendue',
      score: 'score', klass: 'Classe', landcover: 'Occupation du sol', why: 'Pourquoi', website: 'Site web', themes: 'Thèmes',
      neighbours: 'Voisins à moins de 500 km', none: 'aucun', loading: 'Chargement…', partners: 'partenaires',
      synthetic: 'Données de démonstration synthétiques, pas des mesures réelles.',
      too_large: 'Zoomez : la région visible est trop grande pour être téléchargée.', land: 'Terres (masque de démo)',
      outlines: 'Contours des points chauds', region: 'Région', area: 'Surface', mean: 'moyen',
      contact: 'Contacter', contact_to: 'Écrire à', your_name: 'Votre nom', your_email: 'Votre courriel', organisation: 'Organisation (facultatif)',
      message: 'Message', send: 'Envoyer', sent_confirm: 'Presque fini : ouvrez le lien envoyé à votre courriel pour que le message parte.',
      sent_queued: 'Votre message est en route.', too_many: 'Trop de messages pour l’instant ; réessayez dans', minutes: 'minutes',
      privacy: 'L’adresse du partenaire ne vous est pas montrée ; la vôtre lui est transmise pour qu’il réponde.'},
    es: {title: 'Puntos críticos de carbono del suelo', skip: 'Ir al mapa', layer: 'Capa', opacity: 'Opacidad',
      theme: 'Tema de los socios', all_themes: 'Todos los temas', language: 'Idioma', sources: 'fuentes', legend: 'Leyenda',
      download: 'Descargar la región visible (COG)', hint: 'Haga clic en el mapa (o pulse Intro) para ver los puntajes de un punto.', error: 'Error',
      sequestration_score: 'Puntaje de secuestro', loss_score: 'Puntaje de urgencia de pérdida', hotspot_class: 'Clases de puntos críticos',
      map: 'Mapa de puntos críticos de carbono del suelo', point: 'Punto', outside: 'Fuera del área cartografiada.',
      nodata: 'Sin datos aquí (mar, hielo o dato ausente).', rate: 'Tasa de secuestro', loss: 'Pérdida esperada',
      score: 'puntaje', klass: 'Clase', landcover: 'Cobertura del suelo', why: 'Por qué', website: 'Sitio web', themes: 'Temas',
      neighbours: 'Vecinos a menos de 500 km', none: 'ninguno', loading: 'Cargando…', partners: 'socios',
      synthetic: 'Datos de demostración sintéticos, no mediciones reales.',
      too_large: 'Acérquese: la región visible es demasiado grande para descargarla.', land: 'Tierras (máscara de demo)',
      outlines: 'Contornos de los puntos críticos', region: 'Región', area: 'Superficie', mean: 'medio',
      contact: 'Contactar', contact_to: 'Escribir a', your_name: 'Su nombre', your_email: 'Su correo', organisation: 'Organización (opcional)',
      message: 'Mensaje', send: 'Enviar', sent_confirm: 'Casi listo: abra el enlace enviado a su correo para enviar el mensaje.',
      sent_queued: 'Su mensaje va en camino.', too_many: 'Demasiados mensajes por ahora; vuelva a intentarlo en', minutes: 'minutos',
      privacy: 'No se le muestra la dirección del socio; la suya se le transmite para que pueda responder.'}
  };
  var THEMES = ['soil_carbon_monitoring', 'agroforestry', 'conservation_agriculture', 'grassland_management',
    'peatland_protection', 'rangeland_restoration', 'rice_systems', 'compost_and_amendments', 'capacity_building',
    'policy', 'finance', 'mrv'];
  var LAYERS = ['sequestration_score', 'loss_score', 'hotspot_class'];
  var lang = params.get('lang') || (navigator.language || 'en').slice(0, 2);
  if (!Object.prototype.hasOwnProperty.call(T, lang)) lang = 'en';
  var current = LAYERS.indexOf(params.get('layer')) >= 0 ? params.get('layer') : 'sequestration_score';
  var $ = function (id) { return document.getElementById(id); };
  var t = function (key) { return T[lang][key] || T.en[key] || key; };
  var esc = function (s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  };
  var num = function (v, digits) { return v == null ? '–' : Number(v).toFixed(digits); };
  // JSON of a successful answer; a problem (4xx/5xx) becomes an error with its detail, shown to the user.
  var json = function (r) {
    return r.json().catch(function () { return {}; }).then(function (body) {
      if (!r.ok) throw new Error(body.detail || (r.status + ' ' + r.statusText));
      return body;
    });
  };
  // Shown over the map for a while, and announced (role="alert").
  function problem(error) {
    var box = $('error');
    box.textContent = t('error') + ': ' + error.message;
    box.hidden = false;
    clearTimeout(problem.timer);
    problem.timer = setTimeout(function () { box.hidden = true; }, 8000);
  }
  if (embed) document.body.classList.add('embed');

  function translate() {
    document.documentElement.lang = lang;
    document.title = t('title');
    document.querySelectorAll('[data-i18n]').forEach(function (el) { el.textContent = t(el.getAttribute('data-i18n')); });
    $('map').setAttribute('aria-label', t('map'));
    $('lang').value = lang;
    var theme = $('theme'), chosen = theme.value;
    theme.innerHTML = '<option value="">' + esc(t('all_themes')) + '</option>' + THEMES.map(function (name) {
      return '<option value="' + name + '">' + esc(name.replace(/_/g, ' ')) + '</option>';
    }).join('');
    theme.value = chosen;
  }

  var map = L.map('map', {worldCopyJump: true, minZoom: 1, maxZoom: 12, keyboard: true}).setView([20, 10], embed ? 1 : 2);
  // {r} is '@2x' on high-DPI screens: 512 px tiles of the same area, as sharp as the screen.
  L.tileLayer('/tiles/land/{z}/{x}/{y}{r}.png', {maxNativeZoom: 8, attribution: 'GSHHG shorelines (demo land mask)'}).addTo(map);
  var overlay = null, bounds = null, grid = null;

  function showLayer(name) {
    return fetch('/tiles/' + name + '/tilejson.json').then(json).then(function (tj) {
      if (overlay) map.removeLayer(overlay);
      bounds = tj.bounds;
      // The credit line stays one short line (the TileJSON's attribution lists every input file): the run, and a
      // link to the layers' sources. Tiles past the data's native zoom (TileJSON maxzoom) are scaled by Leaflet.
      var run = (tj.tiles[0].split('run=')[1] || '').split('&')[0];
      overlay = L.tileLayer(tj.tiles[0].replace('.png', '{r}.png'), {opacity: $('opacity').value / 100, maxNativeZoom: tj.maxzoom,
        attribution: 'Soil Carbon Hotspots ' + esc(run) + ' (<a href="/v1/layers">' + esc(t('sources')) + '</a>)'});
      overlay.on('load', function () {
        document.body.dataset.tilesLoaded = document.querySelectorAll('.leaflet-tile-loaded').length;
      });
      // Tile URLs name the run: after a new run is published the old ones answer 404, so ask for the layer again
      // (once: if the run did not change, the errors are real and stay visible).
      overlay.once('tileerror', function () {
        fetch('/tiles/' + name + '/tilejson.json').then(json).then(function (fresh) {
          if (fresh.tiles[0] !== tj.tiles[0] && current === name) showLayer(name);
        }).catch(problem);
      });
      overlay.addTo(map);
      $('legend-image').src = tj.legend + '?lang=' + lang;
      $('legend-image').alt = t('legend') + ': ' + t(name);
      current = name;
      $('layer').value = name;
      updateDownload();
    });
  }

  function updateDownload() {
    if (!bounds) return;
    var b = map.getBounds();
    var w = Math.max(bounds[0], b.getWest()), s = Math.max(bounds[1], b.getSouth());
    var e = Math.min(bounds[2], b.getEast()), n = Math.min(bounds[3], b.getNorth());
    var link = $('download');
    if (w >= e || s >= n) { link.removeAttribute('href'); link.setAttribute('aria-disabled', 'true'); return; }
    // Pixels of the run's grid in the box (its pixels are degrees on the demo's EPSG:4326 grid).
    var pixels = grid && grid.crs === 'EPSG:4326' ? Math.ceil((e - w) / grid.pixel_size[0]) * Math.ceil((n - s) / grid.pixel_size[1]) : 0;
    if (grid && pixels > grid.max_download_pixels) {
      link.removeAttribute('href');
      link.setAttribute('aria-disabled', 'true');
      link.title = t('too_large');
      return;
    }
    link.href = '/v1/download?layer=' + current + '&bbox=' + [w, s, e, n].map(function (v) { return v.toFixed(4); }).join(',');
    link.removeAttribute('aria-disabled');
    link.title = t('download');
  }

  function answerHTML(a) {
    var head = '<h3>' + esc(t('point')) + ' ' + num(a.lon, 3) + ', ' + num(a.lat, 3) + '</h3>';
    if (!a.inside) return '<div class="answer">' + head + '<p>' + esc(t('outside')) + '</p></div>';
    if (!a.sequestration || a.sequestration.score == null) {
      return '<div class="answer">' + head + '<p>' + esc(t('nodata')) + '</p></div>';
    }
    var lc = a.inputs && a.inputs.landcover;
    var rows = [
      [t('sequestration_score'), '<span class="seq-score">' + num(a.sequestration.score, 1) + '</span>'],
      [t('rate'), num(a.sequestration.rate.value, 3) + ' ' + esc(a.sequestration.rate.units)],
      [t('loss_score'), '<span class="loss-score">' + num(a.loss.score, 1) + '</span>'],
      [t('loss'), num(a.loss.expected.value, 1) + ' ' + esc(a.loss.expected.units)],
      [t('klass'), esc(a['class'].label)],
      [t('landcover'), lc ? esc((lc.label || '') + ' (' + lc.group_label + ')') : '–']
    ];
    var table = '<table>' + rows.map(function (r) { return '<tr><th scope="row">' + esc(r[0]) + '</th><td>' + r[1] + '</td></tr>'; }).join('') + '</table>';
    var why = a.explanation ? '<p><strong>' + esc(t('why')) + ':</strong> ' + esc(a.explanation.text) + '</p>' : '';
    return '<div class="answer">' + head + table + why + '</div>';
  }

  function showPoint(latlng) {
    var lon = ((latlng.lng + 180) % 360 + 360) % 360 - 180, lat = latlng.lat;
    $('info').innerHTML = '<p>' + esc(t('loading')) + '</p>';
    return fetch('/v1/score?lon=' + lon.toFixed(5) + '&lat=' + lat.toFixed(5) + '&lang=' + lang)
      .then(json)
      .then(function (a) {
        var html = answerHTML(a);
        L.popup().setLatLng(latlng).setContent(html).openOn(map);
        $('info').innerHTML = html;
        document.body.dataset.clicked = lon.toFixed(5) + ',' + lat.toFixed(5);
      });
  }
  map.on('click', function (e) { showPoint(e.latlng).catch(problem); });
  // Keyboard: Leaflet's arrows pan and +/- zoom; Enter or Space asks for the scores at the centre (the crosshair).
  $('map').addEventListener('keydown', function (e) {
    if (e.target !== $('map') || (e.key !== 'Enter' && e.key !== ' ')) return;
    e.preventDefault();
    showPoint(map.getCenter()).catch(problem);
  });

  var cluster = L.markerClusterGroup({showCoverageOnHover: false}), markers = {};
  var neighbourLayer = L.layerGroup().addTo(map);
  map.addLayer(cluster);

  function partnerHTML(p) {
    var site = p.website ? '<p><a href="' + esc(p.website) + '" target="_blank" rel="noopener">' + esc(t('website')) + '</a></p>' : '';
    var description = p.description ? (p.description[lang] || p.description.en || '') : '';
    return '<div class="partner"><h3>' + esc(p.name) + '</h3><p>' + esc(p.type.replace(/_/g, ' ')) + ' · ' + esc(p.country) +
      '</p><p class="themes">' + esc(t('themes')) + ': ' + esc((p.themes || []).join(', ').replace(/_/g, ' ')) + '</p>' +
      (description ? '<p>' + esc(description) + '</p>' : '') + site +
      '<button type="button" class="contact" data-id="' + esc(p.id) + '" data-name="' + esc(p.name) + '">' + esc(t('contact')) + '</button> ' +
      '<button type="button" class="neighbours" data-id="' + esc(p.id) + '">' + esc(t('neighbours')) + '</button>' +
      '<ul class="neighbour-list"></ul><div class="contact-box"></div></div>';
  }

  // The contact relay's form (POST /v1/partners/{id}/contact): labelled fields, a hidden honeypot, the answer said
  // in a live region. The partner's address never reaches this page.
  function contactForm(box, id, name) {
    var n = 'c' + Math.random().toString(36).slice(2);
    box.innerHTML = '<form class="contact-form" novalidate><h4>' + esc(t('contact_to')) + ' ' + esc(name) + '</h4>' +
      '<p class="privacy">' + esc(t('privacy')) + '</p>' +
      '<label for="' + n + 'n">' + esc(t('your_name')) + '</label><input id="' + n + 'n" name="name" required maxlength="200" autocomplete="name">' +
      '<label for="' + n + 'e">' + esc(t('your_email')) + '</label><input id="' + n + 'e" name="email" type="email" required maxlength="254" autocomplete="email">' +
      '<label for="' + n + 'o">' + esc(t('organisation')) + '</label><input id="' + n + 'o" name="organisation" maxlength="200" autocomplete="organization">' +
      '<label for="' + n + 'm">' + esc(t('message')) + '</label><textarea id="' + n + 'm" name="message" required maxlength="4000" rows="5"></textarea>' +
      '<div class="hp" aria-hidden="true"><label>Homepage<input name="homepage" tabindex="-1" autocomplete="off"></label></div>' +
      '<button type="submit">' + esc(t('send')) + '</button><p class="contact-status" role="status" aria-live="polite"></p></form>';
    var form = box.querySelector('form'), status = box.querySelector('.contact-status');
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var body = {language: lang};
      ['name', 'email', 'organisation', 'message', 'homepage'].forEach(function (k) {
        var v = form.elements[k].value.trim();
        if (v || k === 'homepage') body[k] = v;
      });
      if (!body.homepage) delete body.homepage;
      fetch('/v1/partners/' + encodeURIComponent(id) + '/contact', {method: 'POST', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify(body)}).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (answer) {
          if (r.status === 202) {
            status.textContent = t(answer.status === 'queued' ? 'sent_queued' : 'sent_confirm');
            form.querySelector('button[type=submit]').disabled = true;
          } else if (r.status === 429) {
            var minutes = Math.ceil((parseInt(r.headers.get('Retry-After'), 10) || 60) / 60);
            status.textContent = t('too_many') + ' ' + minutes + ' ' + t('minutes') + '.';
          } else {
            status.textContent = t('error') + ': ' + (answer.detail || r.status);
          }
          status.dataset.status = r.status;
        });
      }).catch(function (e) { status.textContent = t('error') + ': ' + e; });
    });
    form.elements.name.focus();
  }

  function loadPartners() {
    var theme = $('theme').value;
    return fetch('/v1/partners?limit=10000' + (theme ? '&theme=' + encodeURIComponent(theme) : ''))
      .then(json)
      .then(function (fc) {
        cluster.clearLayers();
        neighbourLayer.clearLayers();
        markers = {};
        fc.features.forEach(function (f) {
          var p = f.properties, c = f.geometry.coordinates;
          var marker = L.marker([c[1], c[0]], {title: p.name, alt: p.name, keyboard: true});
          marker.bindPopup(function () { return partnerHTML(p); });
          markers[p.id] = marker;
          cluster.addLayer(marker);
        });
        document.body.dataset.partners = fc.features.length;
      });
  }

  map.on('popupopen', function (e) {
    var element = e.popup.getElement();
    // One listener per popup element (Leaflet reuses it when the popup opens again).
    if (!element.dataset.contactBound) element.addEventListener('click', function (event) {
      var contact = event.target.closest && event.target.closest('button.contact');
      if (!contact) return;
      // Not popup.update(): it would render the content again, without the form.
      contactForm(element.querySelector('.contact-box'), contact.getAttribute('data-id'), contact.getAttribute('data-name'));
    });
    element.dataset.contactBound = '1';
    var button = e.popup.getElement().querySelector('button.neighbours');
    if (!button) return;
    button.addEventListener('click', function () {
      var id = button.getAttribute('data-id'), list = e.popup.getElement().querySelector('.neighbour-list');
      fetch('/v1/partners/' + encodeURIComponent(id) + '/neighbours?radius_km=500&limit=10')
        .then(json)
        .then(function (fc) {
          neighbourLayer.clearLayers();
          list.innerHTML = fc.features.length ? fc.features.map(function (f) {
            var c = f.geometry.coordinates;
            L.circleMarker([c[1], c[0]], {radius: 7, color: '#f0a500', weight: 3}).addTo(neighbourLayer);
            return '<li>' + esc(f.properties.name) + ' – ' + num(f.properties.distance_km, 0) + ' km ' +
              '<button type="button" class="contact" data-id="' + esc(f.properties.id) + '" data-name="' + esc(f.properties.name) + '">' +
              esc(t('contact')) + '</button></li>';
          }).join('') : '<li>' + esc(t('none')) + '</li>';
        }).catch(problem);
    });
  });

  // The hotspot polygons (OGC API - Features `hotspots`) as outlines over the tiles, coloured by class.
  var OUTLINE = {1: '#1a9850', 2: '#d73027', 3: '#7b3294'};
  var outlines = L.geoJSON(null, {
    style: function (f) { return {color: OUTLINE[f.properties.class] || '#333', weight: 1.5, fill: false}; },
    onEachFeature: function (f, layer) {
      var p = f.properties;
      layer.bindPopup(function () {
        return '<div class="hotspot"><h3>' + esc(p.label) + '</h3><p>' + esc(t('region')) + ': ' + esc(p.region_name || t('none')) +
          '</p><p>' + esc(t('area')) + ': ' + num(p.area_km2, 0) + ' km²</p><p>' + esc(t('sequestration_score')) + ' (' + esc(t('mean')) +
          '): ' + num(p.mean_sequestration_score, 1) + '</p><p>' + esc(t('loss_score')) + ' (' + esc(t('mean')) + '): ' +
          num(p.mean_loss_score, 1) + '</p></div>';
      });
    }
  });
  function showOutlines(on) {
    if (!on) { map.removeLayer(outlines); return Promise.resolve(); }
    return fetch('/collections/hotspots/items?limit=10000').then(json).then(function (fc) {
      outlines.clearLayers();
      outlines.addData(fc);
      outlines.addTo(map);
      document.body.dataset.outlines = fc.features.length;
    });
  }

  $('layer').addEventListener('change', function (e) { showLayer(e.target.value).catch(problem); });
  $('outlines').addEventListener('change', function (e) { showOutlines(e.target.checked).catch(problem); });
  $('opacity').addEventListener('input', function (e) { if (overlay) overlay.setOpacity(e.target.value / 100); });
  $('theme').addEventListener('change', function () { loadPartners().catch(problem); });
  $('lang').addEventListener('change', function (e) {
    lang = e.target.value;
    params.set('lang', lang);
    history.replaceState(null, '', location.pathname + '?' + params.toString());
    translate();
    showLayer(current).catch(problem);
  });
  map.on('moveend', updateDownload);

  translate();
  fetch('/health').then(json).then(function (h) {
    if (!h.synthetic) document.querySelector('#legend .note').hidden = true;
  }).catch(problem);
  fetch('/v1/layers').then(json).then(function (l) { grid = l.grid; updateDownload(); }).catch(problem);
  $('outlines').checked = params.get('outlines') === '1';
  Promise.all([showLayer(current), loadPartners(), showOutlines($('outlines').checked)]).then(function () {
    document.body.dataset.ready = 'yes';
    // ?click=lon,lat: the page clicks there itself once loaded (for links to a point, and for tests).
    var click = (params.get('click') || '').split(',').map(Number);
    if (click.length === 2 && click.every(isFinite)) {
      map.setView([click[1], click[0]], 5);
      map.fire('click', {latlng: L.latLng(click[1], click[0])});
    }
    // ?partner=id: the page opens that partner's popup once loaded (for links to a partner, and for tests);
    // with &contact=1, its contact form too (a "write to this partner" link).
    var chosen = markers[params.get('partner')];
    if (chosen) cluster.zoomToShowLayer(chosen, function () {
      chosen.openPopup();
      var contact = params.get('contact') === '1' && chosen.getPopup().getElement().querySelector('button.contact');
      if (contact) contact.click();
    });
  }).catch(function (error) {
    document.body.dataset.ready = 'failed';
    problem(error);
  });
})();
